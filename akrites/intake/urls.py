from django.urls import path

from akrites.intake import views

app_name = "intake"

urlpatterns = [
    path("report/", views.report_form, name="report-form"),
    path("report/receipt/<str:report_id>/", views.receipt, name="receipt"),
    path("report/status/", views.status, name="status"),
    path("my/reports/<str:report_id>/", views.my_report, name="my-report"),
    path(".well-known/security.txt", views.security_txt, name="security-txt"),
    path(".well-known/akrites-intake-key.asc", views.pgp_key, name="pgp-key"),
    path("policy/", views.policy, name="policy"),
]
