from django.urls import path

from akrites.projects import views

app_name = "projects"

urlpatterns = [
    path("registry/", views.registry_list, name="registry"),
    path("registry/<str:project_slug>/", views.registry_detail, name="registry-detail"),
]
