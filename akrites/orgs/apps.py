from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "akrites.orgs"
    label = "orgs"
