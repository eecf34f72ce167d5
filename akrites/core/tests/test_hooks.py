"""core.hooks: one typed provider per extension point; a missing provider is an error."""

import pytest

from akrites.core.hooks import Hook, HookMissing, hook


@hook
def greet(name: str, *, loud: bool = False) -> str:
    """Say hello."""
    raise AssertionError("the declaration is never run")


def test_a_hook_calls_its_provider_and_refuses_a_second_one():
    h: Hook = hook(greet.__call__)
    with pytest.raises(HookMissing):
        h("x")
    h.provide(lambda name, *, loud=False: name.upper() if loud else name)
    assert h("ada", loud=True) == "ADA" and h.provided
    with pytest.raises(RuntimeError, match="already provided"):
        h.provide(lambda name, *, loud=False: name)


def test_the_declaration_names_the_hook_and_keeps_its_doc():
    assert greet.name.endswith("test_hooks.greet") and greet.__doc__ == "Say hello."
