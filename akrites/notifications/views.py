"""HTML: the SIRT's deliveries page, a user's notification preferences, the demo's Outbox."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from akrites.access.policy import allowed
from akrites.accounts import addresses
from akrites.accounts.actors import user_of
from akrites.core.errors import InvalidInput
from akrites.notifications import selectors, sink
from akrites.notifications.forms import PreferenceForm
from akrites.notifications.services import preferences, subscriptions


@login_required
def deliveries(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    rows = selectors.delivery_list(viewer=request.user, status=status, limit=200)
    outbox = settings.DEBUG and allowed(request.user, "notifications.outbox")
    context = {"rows": rows, "status": status, "outbox": outbox}
    return render(request, "notifications/deliveries.html", context)


@login_required
@require_POST
def delivery_retry(request: HttpRequest, delivery_id: int) -> HttpResponse:
    subscriptions.delivery_retry(actor=request.user, delivery_id=delivery_id)
    messages.success(request, f"Delivery {delivery_id} will be tried again.")
    return redirect("notifications:deliveries")


@login_required
def preferences_view(request: HttpRequest) -> HttpResponse:
    """Preferences and the address, all or nothing. The address changes (and a link is
    mailed) only when it differs from the current one, or on "send the link again"."""
    pref = selectors.preference_get(viewer=request.user)
    current = user_of(request.user).email
    initial = {"digest_only": pref.digest_only, "email": current}
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["openpgp_key"]
        address = form.cleaned_data["email"].strip()
        changed = address.casefold() != current.casefold()
        try:
            with transaction.atomic():
                if changed or "resend" in request.POST:
                    addresses.email_set(actor=request.user, address=address)
                preferences.preference_update(
                    actor=request.user,
                    digest_only=form.cleaned_data["digest_only"],
                    openpgp_key="" if form.cleaned_data["remove_key"] else (key or None),
                )
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field == "email" else "openpgp_key", exc.message)
        else:
            if (changed or "resend" in request.POST) and address:
                messages.info(request, f"A confirmation link was mailed to {address}.")
            messages.success(request, "Preferences saved.")
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form, "pref": pref})


def _outbox_dir(request: HttpRequest) -> Path:
    """The sink's directory, for a SIRT member with DEBUG on; 404 for anyone else, and for
    everyone in production (the page does not exist there)."""
    if not settings.DEBUG or not allowed(request.user, "notifications.outbox"):
        raise Http404()
    return Path(settings.AKRITES_MAIL_SINK_DIR)


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    rows = sink.sink_list(_outbox_dir(request))
    return render(request, "notifications/outbox.html", {"rows": rows})


@login_required
def outbox_message(request: HttpRequest, name: str) -> HttpResponse:
    message = sink.sink_get(_outbox_dir(request), name)
    return render(request, "notifications/outbox_message.html", {"m": message})
