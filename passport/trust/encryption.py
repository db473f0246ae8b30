"""Encryption at rest of free texts (AES-256-GCM from ``cryptography``).

Keys come from configuration as ``ENCRYPTION_KEYS="kid:base64key,kid2:base64key"``, newest
first. Every ciphertext carries the id of the key that made it, so that keys can be rotated:
new rows use the newest key, old rows are still read with theirs, and
``flask --app wsgi passport reencrypt`` rewrites them with the newest one.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import Text, TypeDecorator

PREFIX = "enc1"


class KeyringError(RuntimeError):
    """The configured keys are missing or malformed, or a ciphertext names an unknown key."""


@dataclass(frozen=True)
class Keyring:
    """Ordered AES-GCM keys; the first one encrypts, all of them decrypt."""

    keys: tuple[tuple[str, bytes], ...]
    #: One AES-GCM cipher per key, made once (its key schedule is not redone per text: a
    #: passport read decrypts some twenty texts and signatures).
    _ciphers: dict[str, AESGCM] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ciphers", {kid: AESGCM(key) for kid, key in self.keys})

    @property
    def current_kid(self) -> str:
        return self.keys[0][0]

    @classmethod
    def from_setting(cls, setting: str) -> Keyring:
        keys = []
        for part in setting.split(","):
            part = part.strip()
            if not part:
                continue
            kid, sep, b64 = part.partition(":")
            if not sep or not kid or ":" in kid:
                raise KeyringError("ENCRYPTION_KEYS entries look like 'kid:base64key'")
            try:
                key = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
            except ValueError as exc:
                raise KeyringError(f"key {kid!r} is not base64") from exc
            if len(key) != 32:
                raise KeyringError(f"key {kid!r} must be 32 bytes (AES-256)")
            keys.append((kid, key))
        if not keys:
            raise KeyringError("ENCRYPTION_KEYS is empty")
        return cls(tuple(keys))

    @classmethod
    def derived_from_secret(cls, secret: str) -> Keyring:
        """Development and tests only: one key derived from SECRET_KEY."""
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"passport-at-rest"
        ).derive(secret.encode())
        return cls((("dev", key),))

    def _cipher(self, kid: str) -> AESGCM:
        cipher = self._ciphers.get(kid)
        if cipher is None:
            raise KeyringError(f"unknown encryption key id {kid!r}")
        return cipher

    def encrypt(self, plaintext: str) -> str:
        kid = self.current_kid
        nonce = os.urandom(12)
        sealed = self._cipher(kid).encrypt(nonce, plaintext.encode(), kid.encode())
        blob = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"{PREFIX}:{kid}:{blob}"

    def decrypt(self, stored: str) -> str:
        prefix, kid, blob = stored.split(":", 2)
        if prefix != PREFIX:
            raise KeyringError("not a ciphertext of this application")
        raw = base64.urlsafe_b64decode(blob + "=" * (-len(blob) % 4))
        return self._cipher(kid).decrypt(raw[:12], raw[12:], kid.encode()).decode()

    def encrypt_bytes(self, data: bytes) -> str:
        return self.encrypt(base64.b64encode(data).decode())

    def decrypt_bytes(self, stored: str) -> bytes:
        return base64.b64decode(self.decrypt(stored))

    @staticmethod
    def key_id_of(stored: str) -> str:
        return stored.split(":", 2)[1]


def keyring() -> Keyring:
    """The keyring of the current application (set up by ``create_app``)."""
    return current_app.extensions["passport_keyring"]


def build_keyring(config) -> Keyring:
    setting = config.get("ENCRYPTION_KEYS")
    if setting:
        return Keyring.from_setting(setting)
    if config.get("ENV_NAME") == "production":
        from passport.startup import ENCRYPTION_KEY_COMMAND

        raise KeyringError(
            f"ENCRYPTION_KEYS must be set in production. Generate a key with: "
            f"{ENCRYPTION_KEY_COMMAND}"
        )
    return Keyring.derived_from_secret(config["SECRET_KEY"])


class EncryptedText(TypeDecorator):
    """A text column stored encrypted; reads and writes plain ``str`` in Python."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return keyring().encrypt(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return keyring().decrypt(value)
