"""The web form for people: fields become an Akrites JSON document, parsed like any other."""

from __future__ import annotations

import json

from django import forms

CREDIT_CHOICES = [
    ("name", "Credit me by name"),
    ("handle", "Credit me by handle"),
    ("anonymous", "Do not credit me publicly"),
]


class ReportForm(forms.Form):
    title = forms.CharField(max_length=300, required=False)
    purl = forms.CharField(
        label="Package URL (purl)",
        max_length=500,
        required=False,
        help_text="For example pkg:pypi/yamlkit or pkg:npm/left-pad",
    )
    affected = forms.CharField(
        label="Affected versions (vers)",
        max_length=500,
        required=False,
        help_text="For example vers:pypi/>=1.0|<1.4.2",
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}), required=False)
    cvss = forms.CharField(label="CVSS vector (optional)", max_length=200, required=False)
    cwe = forms.CharField(
        label="CWE ids (optional, comma separated)", max_length=200, required=False
    )
    encrypted = forms.CharField(
        label="Or paste an OpenPGP-encrypted report (ASCII armour)",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    credit_name = forms.CharField(label="Name or handle for credit", max_length=200, required=False)
    credit = forms.ChoiceField(choices=CREDIT_CHOICES, initial="name")
    contact = forms.EmailField(label="Contact e-mail (required when not signed in)", required=False)
    nonce = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("encrypted") and not data.get("title"):
            self.add_error("title", "A title is required (or paste an encrypted report).")
        return data

    def document(self) -> bytes:
        """The submission as bytes: the armoured message, or an Akrites JSON document."""
        data = self.cleaned_data
        if data.get("encrypted"):
            return str(data["encrypted"]).encode()
        doc: dict[str, object] = {
            "format": "akrites-report/1",
            "title": data["title"],
            "description": data.get("description") or "",
        }
        if data.get("purl"):
            package: dict[str, object] = {"purl": data["purl"]}
            if data.get("affected"):
                package["affected"] = data["affected"]
            doc["package"] = package
        if data.get("cvss"):
            doc["cvss"] = data["cvss"]
        if data.get("cwe"):
            doc["cwe"] = [c.strip() for c in str(data["cwe"]).split(",") if c.strip()]
        return json.dumps(doc).encode()


# Error fields from the parser → form fields, so an error shows next to its field.
FIELD_MAP = {
    "title": "title",
    "description": "description",
    "package.purl": "purl",
    "package.affected": "affected",
    "cvss": "cvss",
    "body": "encrypted",
}


def form_field_for(error_field: str) -> str | None:
    if error_field.startswith("cwe"):
        return "cwe"
    return FIELD_MAP.get(error_field)
