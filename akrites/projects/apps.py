from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "akrites.projects"
    label = "projects"
