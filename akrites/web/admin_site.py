"""The Django admin is for the SIRT only, and only for active staff accounts."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.http import HttpRequest

from akrites.access.policy import allowed


def restrict_admin_to_sirt(site: AdminSite) -> None:
    def has_permission(request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and allowed(user, "admin.access"))

    site.has_permission = has_permission  # type: ignore[method-assign]
    site.site_header = "Akrites SIRT administration"
    site.site_title = "Akrites admin"
