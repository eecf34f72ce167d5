from django.urls import path

from akrites.conversation import views

app_name = "conversation"

urlpatterns = [
    path("cases/<str:case_id>/conversation/", views.conversation, name="thread"),
    path("cases/<str:case_id>/conversation/<int:number>/edit/", views.edit, name="edit"),
    path(
        "cases/<str:case_id>/conversation/attachments/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
]
