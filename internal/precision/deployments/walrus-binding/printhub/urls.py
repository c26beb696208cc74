from django.urls import path

from jobs_api import views

urlpatterns = [
    path("queue/next", views.next_job),
]
