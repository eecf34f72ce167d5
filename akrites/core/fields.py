"""``EncryptedTextField`` / ``EncryptedBytesField``: the one way sensitive data is stored.

The database only ever holds ciphertext (see ``akrites.core.crypto``). Values are encrypted in
``get_db_prep_value`` and decrypted in ``from_db_value``, so ORM code reads and writes
plaintext while a raw SQL read of the table shows none. Such fields cannot be filtered or
indexed by content, by design.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression

from akrites.core import crypto


def keyring() -> crypto.Keyring:
    return crypto.load_keyring(
        env_value=settings.AKRITES_ENCRYPTION_KEYS, path=_keys_path(settings.AKRITES_KEYS_FILE)
    )


@functools.lru_cache(maxsize=4)
def _keys_path(value: str) -> Path:
    return Path(value)


class _EncryptedField(models.BinaryField):  # type: ignore[type-arg]
    """Base: stores AEAD ciphertext bound to ``app_label.model.column``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("editable", True)
        super().__init__(*args, **kwargs)

    def aad(self) -> bytes:
        return f"{self.model._meta.label_lower}.{self.column}".encode()

    def to_bytes(self, value: Any) -> bytes:
        raise NotImplementedError

    def from_bytes(self, value: bytes) -> Any:
        raise NotImplementedError

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        if value is None or isinstance(value, Expression):
            return value
        sealed = keyring().encrypt(self.to_bytes(value), aad=self.aad())
        return connection.Database.Binary(sealed)  # type: ignore[attr-defined]

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        if value is None:
            return None
        return self.from_bytes(keyring().decrypt(bytes(value), aad=self.aad()))

    def to_python(self, value: Any) -> Any:
        return value

    def value_to_string(self, obj: models.Model) -> str:
        # Serialisation (dumpdata) must never emit plaintext.
        return "<encrypted>"


class EncryptedTextField(_EncryptedField):
    def _check_str_default_value(self) -> list[Any]:
        # A str default is right here: the field holds text and encrypts it on save.
        return []

    def to_bytes(self, value: Any) -> bytes:
        return str(value).encode("utf-8")

    def from_bytes(self, value: bytes) -> str:
        return value.decode("utf-8")

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return forms.CharField(widget=forms.Textarea, required=not self.blank, **kwargs)


class EncryptedBytesField(_EncryptedField):
    def to_bytes(self, value: Any) -> bytes:
        return bytes(value)

    def from_bytes(self, value: bytes) -> bytes:
        return value
