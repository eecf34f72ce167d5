from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "akrites.mail"
    label = "mail"
