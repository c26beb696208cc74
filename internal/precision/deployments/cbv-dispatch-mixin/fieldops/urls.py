from django.urls import path

from jobs import views

urlpatterns = [
    path("jobs/", views.JobListView.as_view()),
    path("jobs/<int:pk>/complete", views.CompleteJobView.as_view()),
]
