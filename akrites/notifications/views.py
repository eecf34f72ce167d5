"""HTML: the SIRT's deliveries page and a user's notification preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from akrites.core.errors import InvalidInput
from akrites.notifications import selectors
from akrites.notifications.forms import PreferenceForm
from akrites.notifications.services import preferences, subscriptions


@login_required
def deliveries(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    rows = selectors.delivery_list(viewer=request.user, status=status, limit=200)
    return render(request, "notifications/deliveries.html", {"rows": rows, "status": status})


@login_required
@require_POST
def delivery_retry(request: HttpRequest, delivery_id: int) -> HttpResponse:
    subscriptions.delivery_retry(actor=request.user, delivery_id=delivery_id)
    messages.success(request, f"Delivery {delivery_id} will be tried again.")
    return redirect("notifications:deliveries")


@login_required
def preferences_view(request: HttpRequest) -> HttpResponse:
    pref = selectors.preference_get(viewer=request.user)
    form = PreferenceForm(request.POST or None, initial={"digest_only": pref.digest_only})
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["openpgp_key"]
        try:
            preferences.preference_update(
                actor=request.user,
                digest_only=form.cleaned_data["digest_only"],
                openpgp_key="" if form.cleaned_data["remove_key"] else (key or None),
            )
        except InvalidInput as exc:
            form.add_error("openpgp_key", exc.message)
        else:
            messages.success(request, "Preferences saved.")
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form, "pref": pref})
