from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "akrites.cases"
    label = "cases"
