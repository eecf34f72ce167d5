from django.urls import path

from akrites.confidentiality import views

app_name = "access"

urlpatterns = [
    path("cases/<str:case_id>/embargo/", views.embargo_page, name="embargo"),
    path("cases/<str:case_id>/embargo/<str:op>/", views.embargo_action, name="embargo-action"),
    path("cases/<str:case_id>/terms/", views.terms_page, name="terms"),
    path(
        "cases/<str:case_id>/prenotification/",
        views.prenotification_page,
        name="prenotification",
    ),
    path(
        "cases/<str:case_id>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path("orgs/<str:org_slug>/sboms/", views.sbom_page, name="sboms"),
]
