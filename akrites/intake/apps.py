from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "akrites.intake"
    label = "intake"
