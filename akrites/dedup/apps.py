from django.apps import AppConfig


class DedupConfig(AppConfig):
    name = "akrites.dedup"
    label = "dedup"
    verbose_name = "Duplicate detection"
