from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "akrites.core"
    label = "core"
