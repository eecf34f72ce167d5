from django.urls import path

from akrites.cases import views

app_name = "cases"

urlpatterns = [
    path("sirt/triage/", views.triage_queue, name="triage-queue"),
    path("sirt/breaches/", views.breaches, name="breaches"),
    path("scanners/<str:scanner>/", views.scanner_profile, name="scanner-profile"),
    path("cases/<str:case_id>/triage/", views.triage_panel, name="triage-panel"),
    path("cases/<str:case_id>/triage/claim/", views.claim, name="triage-claim"),
    path("cases/<str:case_id>/triage/release/", views.release, name="triage-release"),
    path("cases/<str:case_id>/triage/severity/", views.assess, name="triage-assess"),
    path("cases/<str:case_id>/triage/exploitation/", views.exploitation, name="triage-exploited"),
    path("cases/<str:case_id>/triage/cra/", views.cra_report, name="triage-cra"),
    path("cases/<str:case_id>/triage/spam/", views.spam, name="triage-spam"),
]
