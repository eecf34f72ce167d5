from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "akrites.api"
    label = "api"
