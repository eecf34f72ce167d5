from __future__ import annotations

from django import forms


class PreferenceForm(forms.Form):
    # Validated by ``accounts.addresses.normalise`` (one rule for every way of setting it).
    email = forms.CharField(
        required=False,
        max_length=254,
        label="E-mail address for notifications (confirmed through a link mailed to it)",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    digest_only = forms.BooleanField(
        required=False, label="Send me digests only (critical cases still arrive at once)"
    )
    openpgp_key = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        label="OpenPGP public key (ASCII armour) — mail with details is encrypted to it",
        max_length=64 * 1024,
    )
    remove_key = forms.BooleanField(required=False, label="Remove my key")
