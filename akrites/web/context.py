"""Navigation entries for the layout, by what the user may open."""

from __future__ import annotations

from django.http import HttpRequest

from akrites.access.policy import allowed


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    items = []
    if allowed(user, "queue.view"):
        items.append(("web:sirt-queue", "SIRT queue"))
    items.append(("web:inbox", "Inbox"))
    items.append(("web:my-reports", "My reports"))
    if user.is_staff and allowed(user, "admin.access"):
        items.append(("admin:index", "Admin"))
    return {"nav": items}
