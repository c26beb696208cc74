from django.urls import re_path

from e2eapp import api, views

urlpatterns = [re_path(r"", api.StockLevels.as_view())]

handler400 = views.error(400)
handler403 = views.error(403)
handler404 = views.error(404)
handler500 = views.error(500)
