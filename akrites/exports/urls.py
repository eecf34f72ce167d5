from django.urls import path

from akrites.exports import views

app_name = "exports"

urlpatterns = [
    path("cases/<str:case_id>/export.json", views.case_export_download, name="case"),
]
