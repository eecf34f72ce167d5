"""What the receiving mail server found about the sender (RFC 8601 Authentication-Results).

Only headers added by our own border MTA count — those whose authserv-id is
``AKRITES_MAIL_AUTHSERV_ID`` — because anyone can write an Authentication-Results header
into a mail they send. A sender is *authenticated* when DMARC passed, or DKIM passed for the
From domain, or (without DKIM) SPF passed for it. Without a trusted header a sender is not
authenticated: no receipt goes to them (no backscatter), the report is recorded all the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import EmailMessage

from django.conf import settings

_METHOD = re.compile(r"(?i)\b(dkim|spf|dmarc)\s*=\s*([a-z]+)([^;]*)")
_PROP = re.compile(
    r"(?i)\b(header\.d|header\.i|header\.from|smtp\.mailfrom|smtp\.helo)\s*=\s*([^\s;]+)"
)


@dataclass(frozen=True)
class AuthResults:
    trusted: bool
    results: dict[str, list[tuple[str, dict[str, str]]]] = field(default_factory=dict)
    raw: tuple[str, ...] = ()

    def passed(self, method: str, domain: str) -> bool:
        domain = domain.lower()
        for result, props in self.results.get(method, []):
            if result != "pass":
                continue
            named = {v.lower().rsplit("@", 1)[-1] for v in props.values()}
            if method == "dmarc" or domain in named:
                return True
        return False

    def authenticated(self, from_domain: str) -> bool:
        if not self.trusted or not from_domain:
            return False
        return (
            self.passed("dmarc", from_domain)
            or self.passed("dkim", from_domain)
            or (not self.results.get("dkim") and self.passed("spf", from_domain))
        )

    def summary(self) -> str:
        parts = []
        for method, items in sorted(self.results.items()):
            parts += [f"{method}={result}" for result, _ in items]
        return ("trusted " if self.trusted else "untrusted ") + " ".join(parts)


def read(message: EmailMessage) -> AuthResults:
    """The results of the trusted Authentication-Results headers of ``message``."""
    ours = settings.AKRITES_MAIL_AUTHSERV_ID.strip().lower()
    results: dict[str, list[tuple[str, dict[str, str]]]] = {}
    raw: list[str] = []
    trusted = False
    for header in message.get_all("Authentication-Results", []) or []:
        text = " ".join(str(header).split())
        raw.append(text[:500])
        authserv = text.split(";", 1)[0].strip().split()[0].lower() if text.strip() else ""
        if not ours or authserv != ours:
            continue
        trusted = True
        for clause in text.split(";")[1:]:
            match = _METHOD.search(clause)
            if match is None:
                continue
            props = {k.lower(): v.strip('"') for k, v in _PROP.findall(clause)}
            results.setdefault(match.group(1).lower(), []).append((match.group(2).lower(), props))
    return AuthResults(trusted=trusted, results=results, raw=tuple(raw))
