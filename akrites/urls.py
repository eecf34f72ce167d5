"""Top-level URLs: the web app, the API at /api/v1/, the admin for the SIRT."""

from django.contrib import admin
from django.urls import include, path

from akrites.api.main import api
from akrites.web.admin_site import restrict_admin_to_sirt

restrict_admin_to_sirt(admin.site)

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("akrites.intake.urls")),
    path("", include("akrites.web.urls")),
]

handler400 = "akrites.web.views.errors.bad_request"
handler403 = "akrites.web.views.errors.forbidden"
handler404 = "akrites.web.views.errors.not_found"
handler500 = "akrites.web.views.errors.server_error"
