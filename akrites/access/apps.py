from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "akrites.access"
    label = "access"
