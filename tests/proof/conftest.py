"""Live installations for the proof tests: the production server and task workers as child
processes, on a fresh database of the vendor this pass of the suite runs on (SQLite, or a new
PostgreSQL database on the server of ``AKRITES_DATABASE_URL``, dropped afterwards)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bench.live import Site


def suite_vendor() -> str:
    from django.conf import settings

    engine = str(settings.DATABASES["default"]["ENGINE"])
    return "postgresql" if "postgresql" in engine else "sqlite"


@pytest.fixture
def make_site() -> Iterator[Callable[..., Site]]:
    """``make_site(**env)``: a fresh site; every site made is closed after the test."""
    sites: list[Site] = []

    def make(**env: Any) -> Site:
        vendor = suite_vendor()
        url = os.environ.get("AKRITES_DATABASE_URL") if vendor == "postgresql" else None
        site = Site.create(vendor, postgres_url=url, **{k: str(v) for k, v in env.items()})
        sites.append(site)
        return site

    yield make
    for site in sites:
        site.close()
