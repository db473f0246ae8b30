"""A software WebAuthn authenticator for tests without a browser: it answers the options a
page carries as a browser and a platform authenticator would (ES256, attestation "none"),
so that the server's checks (challenge, origin, RP id, signature, sign counter) run for real.

The browser test (tests/browser/test_passkeys.py) uses Chromium's virtual authenticator
instead; this one lets the view tests tamper with answers byte by byte.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

ORIGIN = "http://localhost"
_OPTIONS = re.compile(r'data-passkey-options="([^"]+)"')

UP, UV, AT = 0x01, 0x04, 0x40


def options_on(page: str) -> dict:
    """The WebAuthn options a page carries (``data-passkey-options``)."""
    match = _OPTIONS.search(page)
    assert match, "no passkey options on the page"
    return json.loads(html.unescape(match.group(1)))


def _client_data(kind: str, challenge: str, origin: str) -> bytes:
    return json.dumps(
        {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
    ).encode()


class SoftAuthenticator:
    """One authenticator holding one credential (created by ``create``)."""

    def __init__(self, counter: int = 0, counts: bool = True) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.counter = counter
        #: False: the counter stays 0, as many synced passkeys do.
        self.counts = counts

    @property
    def id(self) -> str:
        return bytes_to_base64url(self.credential_id)

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,  # kty: EC2
                3: -7,  # alg: ES256
                -1: 1,  # crv: P-256
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def _auth_data(self, rp_id: str, flags: int, extra: bytes = b"") -> bytes:
        if self.counts:
            self.counter += 1
        rp_hash = hashlib.sha256(rp_id.encode()).digest()
        return rp_hash + bytes([flags]) + struct.pack(">I", self.counter) + extra

    def create(self, options: dict, origin: str = ORIGIN, rp_id: str | None = None) -> dict:
        """The answer to ``navigator.credentials.create({publicKey: options})``."""
        attested = (
            bytes(16)  # AAGUID
            + struct.pack(">H", len(self.credential_id))
            + self.credential_id
            + self._cose_key()
        )
        auth_data = self._auth_data(rp_id or options["rp"]["id"], UP | UV | AT, attested)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = _client_data("webauthn.create", options["challenge"], origin)
        return {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": bytes_to_base64url(client_data),
                "attestationObject": bytes_to_base64url(attestation),
                "transports": ["internal"],
            },
        }

    def get(
        self,
        options: dict,
        origin: str = ORIGIN,
        rp_id: str | None = None,
        flags: int = UP | UV,
    ) -> dict:
        """The answer to ``navigator.credentials.get({publicKey: options})``."""
        allowed = [c["id"] for c in options.get("allowCredentials", [])]
        assert self.id in allowed, "the server did not offer this credential"
        auth_data = self._auth_data(rp_id or options["rpId"], flags)
        client_data = _client_data("webauthn.get", options["challenge"], origin)
        signed = auth_data + hashlib.sha256(client_data).digest()
        signature = self.key.sign(signed, ec.ECDSA(hashes.SHA256()))
        return {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": bytes_to_base64url(client_data),
                "authenticatorData": bytes_to_base64url(auth_data),
                "signature": bytes_to_base64url(signature),
                "userHandle": None,
            },
        }


def tamper(answer: dict, part: str, at: int = -1) -> dict:
    """A copy of ``answer`` with one byte of ``response[part]`` flipped."""
    raw = bytearray(base64url_to_bytes(answer["response"][part]))
    raw[at] ^= 0x01
    copy = json.loads(json.dumps(answer))
    copy["response"][part] = bytes_to_base64url(bytes(raw))
    return copy
