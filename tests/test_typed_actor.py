"""The domain boundary is typed: no parameter named ``actor`` or ``viewer`` is annotated ``Any``.

Services take ``actor=`` and selectors ``viewer=``; both are ``akrites.core.actors.Actor``
(``accounts.User``, Django's ``AnonymousUser`` and ``SystemActor`` satisfy it). The source of
every non-test, non-migration module is read, so the test fails on the first ``actor: Any``
(or ``viewer: Any | None``, ``actor: "Any"``, a dataclass field ``actor: Any``) that comes back.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

NAMES = frozenset({"actor", "viewer"})
ROOTS = ("akrites", "akrites_cli")


def _mentions_any(annotation: ast.expr | None) -> bool:
    if annotation is None:
        return False
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return _mentions_any(ast.parse(annotation.value, mode="eval").body)
    return any(
        (isinstance(node, ast.Name) and node.id == "Any")
        or (isinstance(node, ast.Attribute) and node.attr == "Any")
        or (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _mentions_any(ast.parse(node.value, mode="eval").body)
        )
        for node in ast.walk(annotation)
    )


def untyped_actors(source: str, where: str) -> list[str]:
    """``where:line name`` for each parameter (or class field) named actor/viewer typed Any."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            a = node.args
            params = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
            found += [
                f"{where}:{p.lineno} {p.arg}"
                for p in params
                if p is not None and p.arg in NAMES and _mentions_any(p.annotation)
            ]
        elif isinstance(node, ast.ClassDef):
            found += [
                f"{where}:{s.lineno} {s.target.id}"
                for s in node.body
                if isinstance(s, ast.AnnAssign)
                and isinstance(s.target, ast.Name)
                and s.target.id in NAMES
                and _mentions_any(s.annotation)
            ]
    return found


def _modules() -> list[Path]:
    base = Path(settings.BASE_DIR)
    return [
        path
        for root in ROOTS
        for path in sorted((base / root).rglob("*.py"))
        if not {"tests", "migrations"} & set(path.relative_to(base).parts)
    ]


def test_no_service_or_selector_takes_an_untyped_actor():
    base = Path(settings.BASE_DIR)
    found = [
        hit
        for path in _modules()
        for hit in untyped_actors(path.read_text(encoding="utf-8"), str(path.relative_to(base)))
    ]
    assert not found, (
        f"{len(found)} actor/viewer parameters typed Any; use akrites.core.actors.Actor:\n"
        + "\n".join(found)
    )


def test_the_detector_sees_every_way_of_writing_any():
    source = (
        "from typing import Any\nimport typing\n"
        "def a(*, actor: Any) -> None: ...\n"
        "def b(viewer: Any | None = None) -> None: ...\n"
        "async def c(*, actor: 'Any') -> None: ...\n"
        "def d(actor: typing.Any) -> None: ...\n"
        "class E:\n    actor: Any\n"
        "def ok(*, actor: Actor, obj: Any, viewer: Actor | None) -> None: ...\n"
    )
    assert untyped_actors(source, "m.py") == [
        "m.py:3 actor",
        "m.py:4 viewer",
        "m.py:5 actor",
        "m.py:6 actor",
        "m.py:8 actor",
    ]
