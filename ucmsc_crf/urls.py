from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from patients.casebook.registry import registry
from ucmsc_crf.views import downloads, entry, matrix, pages, printing, review, unblinding, visits

admin.site.site_header = "UC-MSC eCRF"
admin.site.site_title = "UC-MSC eCRF"
admin.site.index_title = "Review and data management"

participant_urls = [
    path("", pages.ParticipantPageView.as_view(), name="participant-detail"),
    path("enrol/", entry.EnrolView.as_view(), name="participant-enrol"),
    path("labs/new/", entry.LabSampleFormView.as_view(), name="lab-sample-new"),
    path("queries/<int:pk>/answer/", entry.QueryAnswerView.as_view(), name="query-answer"),
    path("queries/<int:pk>/review/", entry.QueryReviewView.as_view(), name="query-review"),
    path("sign/", entry.SignView.as_view(), name="casebook-sign"),
    path("unblinding/", unblinding.UnblindingView.as_view(), name="participant-unblinding"),
    path("visits/<slug:visit>/missed/", visits.MissedVisitView.as_view(), name="visit-missed"),
    path("review/", review.CasebookReviewView.as_view(), name="casebook-review"),
    path("print/", printing.PrintCasebookView.as_view(), name="casebook-print"),
    path("print/observation/", printing.BlankObservationView.as_view(), name="observation-print"),
]
# Every case report form with a ward form gets its new / edit / void pages (patients/casebook/registry.py).
for crf in registry.with_ward_form():
    form_view = entry.RecordFormView.as_view(crf=crf)
    participant_urls += [
        path(f"{crf.key}/new/", form_view, name=f"{crf.key}-new"),
        path(f"{crf.key}/<int:pk>/edit/", form_view, name=crf.url_name("edit")),
        path(f"{crf.key}/<int:pk>/void/", entry.RecordVoidView.as_view(crf=crf), name=crf.url_name("void")),
    ]

urlpatterns = [
    path("", pages.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("participants/", pages.ParticipantListView.as_view(), name="participant-list"),
    path("matrix/", matrix.SubjectMatrixView.as_view(), name="subject-matrix"),
    path("review/", review.CasebookListView.as_view(), name="casebook-review-list"),
    path("export/analysis.zip", downloads.analysis_export, name="analysis-export"),
    path("export/odm.xml", downloads.odm_download, name="odm-export"),
    path("export/sdtm.zip", downloads.sdtm_download, name="sdtm-export"),
    path("report/", downloads.report, name="report"),
    path("participants/screen/", entry.ScreeningView.as_view(), name="participant-screen"),
    path("participants/<str:study_id>/", include(participant_urls)),
    path("admin/", admin.site.urls),
]
