"""Navigation entries for the layout, by what the user may open."""

from __future__ import annotations

from django.http import HttpRequest

from akrites.access.policy import allowed
from akrites.core.actors import Actor


def _entries(user: Actor) -> list[tuple[str, str]]:
    items = []
    if allowed(user, "queue.view"):
        items.append(("web:dashboard", "Dashboard"))
        items.append(("web:sirt-queue", "SIRT queue"))
        items.append(("cases:triage-queue", "Triage"))
    if allowed(user, "report.view_unrouted"):
        items.append(("web:unrouted", "Unrouted"))
    if allowed(user, "registry.view"):
        items.append(("projects:registry", "Registry"))
    items.append(("web:inbox", "Inbox"))
    items.append(("web:my-reports", "My reports"))
    if allowed(user, "notifications.deliveries"):
        items.append(("notifications:deliveries", "Deliveries"))
    items.append(("notifications:preferences", "Notifications"))
    if getattr(user, "is_staff", False) and allowed(user, "admin.access"):
        items.append(("admin:index", "Admin"))
    return items


def navigation(request: HttpRequest) -> dict[str, object]:
    """``nav``: (url name, label, is the current page) for the signed-in user; the current
    entry is marked ``aria-current`` so screen readers announce where the user is."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match is not None else ""
    return {"nav": [(name, label, name == current) for name, label in _entries(user)]}
