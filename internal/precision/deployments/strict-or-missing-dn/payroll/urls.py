from django.urls import include, path

urlpatterns = [path("", include("payslips.urls"))]
