from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "akrites.web"
    label = "web"
