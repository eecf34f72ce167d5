from django.apps import AppConfig


class ConfidentialityConfig(AppConfig):
    name = "akrites.confidentiality"
    # The label of the tables and migrations, from before the policy moved to akrites.access.
    label = "access"
    verbose_name = "Confidentiality"
