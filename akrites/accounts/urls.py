from django.urls import path

from akrites.accounts import views

app_name = "accounts"

urlpatterns = [
    path("account/mfa/", views.mfa_page, name="mfa"),
    path("account/email/confirm/<str:token>/", views.email_confirm, name="email-confirm"),
    path("account/step-up/", views.step_up, name="step-up"),
    path("account/users/<int:user_id>/kill-sessions/", views.kill_sessions, name="kill-sessions"),
]
