from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "akrites.accounts"
    label = "accounts"
