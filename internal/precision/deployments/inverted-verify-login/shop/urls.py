from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/erp/", include("erp_bridge.urls")),
    path("", include("catalog.urls")),
]
