from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "akrites.audit"
    label = "audit"
