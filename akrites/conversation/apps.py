from django.apps import AppConfig


class ConversationConfig(AppConfig):
    name = "akrites.conversation"
    label = "conversation"
