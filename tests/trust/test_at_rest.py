"""Encryption at rest: no free text in clear in the database, and key rotation end to end."""

from __future__ import annotations

import base64
import contextlib
import os
import re
from pathlib import Path

import pytest
from sqlalchemy import Text, type_coerce

from config import TestingConfig
from passport import create_app
from passport.extensions import db
from passport.passports.models import Reception
from passport.trust import rekey
from passport.trust.encryption import Keyring, KeyringError
from tests import factories as f
from tests.trust.conftest import HOLDER_EMAIL, SUMMARY
from tests.trust.test_erasure import leaks

#: ASCII markers of every free text of the world (summary, message, note, anonymous, other).
MARKERS = [
    "NOTE-ACCUEIL-7f3a",
    "MESSAGE-ORIENTATION-91bc",
    "NOTE-STATUT-4d2e",
    "ANONYME-5c6d",
    "AUTRE-TITULAIRE-8e8e",
]


def _sqlite_files(app) -> list[Path]:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("sqlite:///"):
        pytest.skip("reads the SQLite file itself")
    path = Path(uri.removeprefix("sqlite:///"))
    return [p for p in (path, Path(f"{path}-wal")) if p.exists()]


def _decoded_runs(data: bytes) -> list[bytes]:
    """Every base64 run of the bytes, decoded (a JWS payload would show up here)."""
    out = []
    for run in re.findall(rb"[A-Za-z0-9_\-+/]{16,}", data):
        with contextlib.suppress(ValueError):
            out.append(base64.urlsafe_b64decode(run + b"=" * (-len(run) % 4)))
    return out


def test_the_sqlite_file_holds_no_free_text(app, world, bundle):
    files = _sqlite_files(app)
    raw = b"".join(p.read_bytes() for p in files)
    assert b"Soudure TIG" in raw  # control: what is not encrypted is there to be read
    assert HOLDER_EMAIL.encode() in raw
    for marker in MARKERS:
        assert marker.encode() not in raw
    # control: a JWS, as the signature column would hold it in clear, is read through
    signed = bundle["records"][1]["signature"].encode()
    assert b"NOTE-ACCUEIL-7f3a" in b"".join(_decoded_runs(signed))
    decoded = b"".join(_decoded_runs(raw))
    for marker in MARKERS:
        assert marker.encode() not in decoded


def test_raw_rows_hold_no_free_text(app, world):
    """Plain SQL on every table, on SQLite or PostgreSQL: ciphertexts only."""
    assert leaks(app, ["Soudure TIG"])  # control
    assert leaks(app, MARKERS) == []
    with app.app_context(), db.engine.connect() as conn:
        stored = conn.execute(
            db.select(type_coerce(Reception.__table__.c.summary, Text)).where(
                Reception.__table__.c.summary.is_not(None)
            )
        ).scalars()
        assert all(value.startswith("enc1:dev:") for value in stored)


# --- key rotation -------------------------------------------------------------------------------


def _key_setting(kid: str, key: bytes) -> str:
    return f"{kid}:{base64.urlsafe_b64encode(key).decode().rstrip('=')}"


@pytest.fixture
def rotated(app, world):
    """Apps on the same database with other ENCRYPTION_KEYS; disposed at the end."""
    made = []
    dev_key = Keyring.derived_from_secret(TestingConfig.SECRET_KEY).keys[0][1]
    new_key = os.urandom(32)
    settings = {
        "both": f"{_key_setting('k2', new_key)},{_key_setting('dev', dev_key)}",
        "new_only": _key_setting("k2", new_key),
    }

    def make(which: str):
        other = create_app(
            TestingConfig,
            {
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "MAIL_OUTBOX": app.config["MAIL_OUTBOX"],
                "ENCRYPTION_KEYS": settings[which],
            },
        )
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def _summaries(app) -> list[str]:
    with app.app_context():
        return sorted(
            db.session.execute(db.select(Reception.summary).where(Reception.summary.is_not(None)))
            .scalars()
            .all()
        )


def test_key_rotation(app, client, world, rotated):
    old_bundle = client.get("/api/v1/me/export", headers=world.auth).get_json()
    both = rotated("both")
    new_only = rotated("new_only")

    # 1. A new key first: old rows still read, new rows use the new key.
    assert SUMMARY in _summaries(both)
    both_client = both.test_client()
    r = both_client.post(
        "/api/v1/receptions",
        json={"date": "2026-05-01", "channel": "phone", "needs": ["vae"], "summary": "après"},
        headers=f.bearer(world.ml_key),
    )
    assert r.status_code == 201
    with both.app_context():
        usage = rekey.key_usage()
    assert usage["k2"] == 2  # the summary and the signature of the new reception
    assert usage["dev"] > 0
    bundle = both_client.get("/api/v1/me/export", headers=world.auth).get_json()
    assert both_client.post("/api/v1/verify", json=bundle).get_json()["valid"] is True

    # Without the old key, old rows cannot be read: it must not be removed yet.
    with new_only.app_context(), pytest.raises(KeyringError):
        _summaries(new_only)

    # 2. Re-encrypt everything with the newest key, in small batches.
    result = both.test_cli_runner().invoke(args=["passport", "reencrypt", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "receptions.summary: 4 lu(s), 3 rechiffré(s), 1 déjà à jour, 0 illisible(s)" in (
        result.output
    )
    assert "signing_keys.private_key_enc: 2 lu(s), 2 rechiffré(s)" in result.output
    assert "Les anciennes clés peuvent être retirées" in result.output
    with both.app_context():
        assert set(rekey.key_usage()) == {"k2"}
    again = both.test_cli_runner().invoke(args=["passport", "reencrypt"])
    assert ", 0 rechiffrée(s)" in again.output

    # 3. The old key removed: everything still reads, structures still sign.
    assert SUMMARY in _summaries(new_only)
    new_client = new_only.test_client()
    bundle = new_client.get("/api/v1/me/export", headers=world.auth).get_json()
    assert bundle["records"][1]["content"]["summary"] == SUMMARY
    assert new_client.post("/api/v1/verify", json=bundle).get_json()["valid"] is True
    r = new_client.post(
        "/api/v1/receptions",
        json={"date": "2026-05-02", "channel": "phone", "needs": ["vae"]},
        headers=f.bearer(world.ml_key),
    )
    assert r.status_code == 201
    # An export signed before the rotation is intact, but its service key is no longer
    # published: the verifier says so instead of pretending.
    answer = new_client.post("/api/v1/verify", json=old_bundle).get_json()
    assert [p["code"] for p in answer["problems"]] == ["service_key_unknown"]


def test_reencrypt_refuses_to_bless_unreadable_values(app, world, rotated):
    new_only = rotated("new_only")
    result = new_only.test_cli_runner().invoke(args=["passport", "reencrypt"])
    assert result.exit_code == 1
    assert "ne retirez aucune ancienne clé" in result.output
    assert "illisible" in result.output


def test_reencrypt_encrypts_values_left_in_clear(app, runner, world):
    """Signatures written before their column was encrypted: adopted, then readable."""
    with app.app_context():
        table = Reception.__table__
        raw = type_coerce(table.c.signature, Text)
        row_id, ciphertext = db.session.execute(
            db.select(table.c.id, raw).where(table.c.passport_id == world.passport_id)
        ).one()
        clear = Keyring.derived_from_secret(TestingConfig.SECRET_KEY).decrypt(ciphertext)
        db.session.execute(
            table.update().where(table.c.id == row_id).values(signature=type_coerce(clear, Text))
        )
        db.session.commit()
        assert leaks(app, ["NOTE-ACCUEIL-7f3a"])  # the JWS payload is readable in the row
    result = runner.invoke(args=["passport", "reencrypt"])
    assert result.exit_code == 0, result.output
    assert (
        "receptions.signature: 3 lu(s), 0 rechiffré(s), 2 déjà à jour, 0 illisible(s), "
        "1 trouvé(s) en clair et chiffré(s)" in result.output
    )
    assert leaks(app, ["NOTE-ACCUEIL-7f3a"]) == []
    with app.app_context():
        assert db.session.get(Reception, row_id).signature == clear
