from django.urls import path

from akrites.notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/deliveries/", views.deliveries, name="deliveries"),
    path(
        "notifications/deliveries/<int:delivery_id>/retry/",
        views.delivery_retry,
        name="delivery-retry",
    ),
    path("notifications/preferences/", views.preferences_view, name="preferences"),
    path("notifications/outbox/", views.outbox, name="outbox"),
    path("notifications/outbox/<str:name>/", views.outbox_message, name="outbox-message"),
]
