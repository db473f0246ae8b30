"""The hash chain: what is stored recomputes, and parallel appends never fork or get lost.

The parallel tests use one test client per thread, hence one session and one database
connection per request: SQLite serialises them with its write lock, PostgreSQL with the
passport's row lock. Run them on both (TEST_DATABASE_URL, see tests/conftest.py).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from sqlalchemy import text

from passport.extensions import db
from passport.passports import services as passports
from passport.passports.models import Passport, Reception, Training
from passport.records import services as records
from passport.trust.canonical import canonical_json, chain_hash, record_content
from passport.trust.export import chain_records
from passport.trust.signing import jwks as published_jwks
from passport.trust.signing import verify_compact
from tests import factories as f

PARALLEL = 40


def _in_parallel(app, calls: list) -> list[tuple[int, dict]]:
    """Run each ``call(client)`` in its own thread, all released at once."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        client = app.test_client()
        barrier.wait()
        response = call(client)
        return response.status_code, response.get_json()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _chain_rows(app, passport_id: int) -> list[tuple]:
    """(seq, prev_hash, hash) of every record of the passport, read with plain SQL."""
    tables = ("receptions", "referrals", "referral_events", "trainings", "cpf_statements")
    rows = []
    with app.app_context(), db.engine.connect() as conn:
        for table in tables:
            rows += conn.execute(
                text(f"SELECT seq, prev_hash, hash FROM {table} WHERE passport_id = :p"),  # noqa: S608
                {"p": passport_id},
            ).all()
    return sorted(tuple(r) for r in rows)


def _assert_linked(rows: list[tuple], head: tuple) -> None:
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))  # no gap, no duplicate
    previous = None
    for _seq, prev_hash, hash_ in rows:
        assert prev_hash == previous
        previous = hash_
    assert head == (len(rows), previous)


def _head(app, passport_id: int) -> tuple:
    with app.app_context():
        p = db.session.get(Passport, passport_id)
        return p.head_seq, p.head_hash


def test_stored_records_recompute(app, world):
    """Read back from the database, every hash and signature matches its content."""
    with app.app_context():
        records = chain_records(world.passport_id)
        keys = published_jwks()
        assert len(records) == 7
        for record in records:
            content = record_content(record)
            assert chain_hash(record.seq, record.prev_hash, content) == record.hash
            if record.signature:
                ok, payload, _kid = verify_compact(record.signature, keys)
                assert ok and payload == canonical_json(content)
                assert content["issuer"]["structure"] in ("ML-DREUX", "CAP-28")
            else:
                assert content["issuer"] is None


def test_a_rounded_column_is_hashed_as_stored(app):
    """NUMERIC(8,2) turns 1.125 into 1.12 (SQLite) or 1.13 (PostgreSQL): hash the stored value."""
    with app.app_context():
        passport = passports.passport_of(f.holder())
        training = records.declare_training(
            passport, title="Habilitation électrique", status="planned", hours=Decimal("1.125")
        )
        db.session.commit()
        training_id = training.id
        db.session.expunge_all()
        stored = db.session.get(Training, training_id)
        assert stored.hours in (Decimal("1.12"), Decimal("1.13"))
        assert chain_hash(stored.seq, stored.prev_hash, record_content(stored)) == stored.hash


def test_anonymous_reception_is_signed_but_outside_any_chain(app, world):
    with app.app_context():
        anonymous = db.session.execute(
            db.select(Reception).where(Reception.passport_id.is_(None))
        ).scalar_one()
        assert anonymous.seq is None and anonymous.prev_hash is None and anonymous.hash is None
        ok, payload, _kid = verify_compact(anonymous.signature, published_jwks())
        assert ok and payload == canonical_json(record_content(anonymous))


def test_parallel_appends_by_the_holder(app, client, world):
    """40 trainings declared at once: all stored, one unbroken chain, the export verifies."""

    def declare(n):
        return lambda c: c.post(
            "/api/v1/me/trainings",
            json={"title": f"Module {n}", "status": "completed"},
            headers=world.auth,
        )

    results = _in_parallel(app, [declare(n) for n in range(PARALLEL)])
    assert [status for status, _ in results] == [201] * PARALLEL
    rows = _chain_rows(app, world.passport_id)
    assert len(rows) == 7 + PARALLEL
    _assert_linked(rows, _head(app, world.passport_id))
    titles = {
        t.title for t in _all(app, Training, world.passport_id) if t.title.startswith("Module ")
    }
    assert titles == {f"Module {n}" for n in range(PARALLEL)}
    bundle = client.get("/api/v1/me/export", headers=world.auth).get_json()
    answer = client.post("/api/v1/verify", json=bundle).get_json()
    assert answer["valid"] is True, answer["problems"][:3]


def test_parallel_appends_by_holder_and_structures_through_a_share(app, client, world):
    """The holder, a structure's key and an advisor write at once through the share API."""
    r = client.post(
        "/api/v1/me/shares",
        json={
            "sections": ["profile", "receptions", "referrals", "trainings", "cpf"],
            "permissions": ["read", "append"],
            "expires_in_days": 30,
        },
        headers=world.auth,
    )
    assert r.status_code == 201, r.get_json()
    token = r.get_json()["url"].rsplit("/s/", 1)[1]
    with app.app_context():
        from passport.accounts.models import User

        advisor_token = f.token(db.session.get(User, world.advisor_id))

    def holder(n):
        return lambda c: c.post(
            "/api/v1/me/cpf",
            json={"as_of": "2026-04-01", "balance_eur": 100 + n},
            headers=world.auth,
        )

    def reception(n):
        return lambda c: c.post(
            f"/api/v1/shared/{token}/receptions",
            json={
                "date": "2026-04-02",
                "channel": "in_person",
                "needs": ["job_search"],
                "summary": f"accueil parallèle {n}",
            },
            headers=f.bearer(advisor_token),
        )

    def attested(n):
        return lambda c: c.post(
            f"/api/v1/shared/{token}/trainings",
            json={"title": f"Atelier {n}", "status": "completed"},
            headers=f.bearer(world.cap_key),
        )

    calls = [holder(n) for n in range(14)]
    calls += [reception(n) for n in range(13)]
    calls += [attested(n) for n in range(13)]
    results = _in_parallel(app, calls)
    assert [status for status, _ in results] == [201] * PARALLEL, [
        body for status, body in results if status != 201
    ][:2]
    rows = _chain_rows(app, world.passport_id)
    assert len(rows) == 7 + PARALLEL
    _assert_linked(rows, _head(app, world.passport_id))
    bundle = client.get("/api/v1/me/export", headers=world.auth).get_json()
    answer = client.post("/api/v1/verify", json=bundle).get_json()
    assert answer["valid"] is True, answer["problems"][:3]
    attested_by = [r["issuer"]["structure"] for r in answer["records"] if r["issuer"]]
    assert attested_by.count("CAP-28") == 13 + 1  # + the referral's status change
    assert attested_by.count("ML-DREUX") == 13 + 3


def _all(app, model, passport_id):
    with app.app_context():
        return list(
            db.session.execute(db.select(model).where(model.passport_id == passport_id))
            .scalars()
            .unique()
        )
