"""Top-level URLs: the web app, the API at /api/v1/, the admin for the SIRT."""

from django.contrib import admin
from django.urls import include, path

from akrites.api.main import api
from akrites.disclosure.osv_api import osv_api
from akrites.web.admin_site import restrict_admin_to_sirt

restrict_admin_to_sirt(admin.site)

urlpatterns = [
    path("api/v1/", api.urls),
    # OSV clients append /v1/query to a base URL: a second, public NinjaAPI at osv.dev's paths.
    path("v1/", osv_api.urls),
    path("admin/", admin.site.urls),
    path("", include("akrites.intake.urls")),
    path("", include("akrites.disclosure.urls")),
    path("", include("akrites.accounts.urls")),
    path("", include("akrites.confidentiality.urls")),
    path("", include("akrites.exports.urls")),
    path("", include("akrites.notifications.urls")),
    path("", include("akrites.cases.urls")),
    path("", include("akrites.conversation.urls")),
    path("", include("akrites.projects.urls")),
    path("", include("akrites.remediation.urls")),
    path("", include("akrites.web.urls")),
]

handler400 = "akrites.web.views.errors.bad_request"
handler403 = "akrites.web.views.errors.forbidden"
handler404 = "akrites.web.views.errors.not_found"
handler500 = "akrites.web.views.errors.server_error"
