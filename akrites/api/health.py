"""Liveness and readiness."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["health"])


class HealthOut(Schema):
    status: str
    database: str


@router.get("/health", response=HealthOut, auth=None)
def health(request: HttpRequest) -> HealthOut:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return HealthOut(status="ok", database=connection.vendor)
