from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "akrites.demo"
    label = "demo"
