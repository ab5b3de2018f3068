from django.urls import path

from patients import views

urlpatterns = [
    path("", views.ParticipantListView.as_view(), name="participant-list"),
    path("<str:study_id>/", views.ParticipantDetailView.as_view(), name="participant-detail"),
]
