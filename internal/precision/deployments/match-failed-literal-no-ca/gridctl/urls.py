from django.urls import path

from substations import views

urlpatterns = [
    path("rtu/telemetry", views.telemetry),
    path("rtu/setpoint", views.setpoint),
]
