"""Query budgets of the hot paths (issue 12), pinned: they do not grow with the passport.

- authentication of a personal token or a structure key: one query;
- the holder's passport read: two queries in all (the token with its user and the user's
  passport, the records);
- a read through a share: at most four queries (the key, the share with its passport and
  holder, the records, the use counter) plus ONE write, the access-log row, both writes
  last (no lock held while the passport is read); the visit and the holder's notification
  are the worker's (a job queued after the commit);
- an append (``records.chain.append``): four statements (the lock, which also hands out the
  record's id; the signing key; the insert; the new head) and one flush, plus the
  indicators' two (the issuer's group, the upsert of the counts).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import event

from passport.accounts.services import find_token
from passport.extensions import db
from passport.records import services as records
from passport.sharing.models import Notification, Visit
from passport.structures.services import find_api_key, get_structure
from tests.mailbox import burst
from tests.sharing.world import build_world, make_share

RECEPTION = {"date": "2026-05-20", "channel": "in_person", "needs": ["vae"], "summary": "Texte"}


@pytest.fixture
def world(app):
    return build_world(app)


def _fill(client, world, token: str, rounds: int) -> None:
    """Records of every kind, from several structures, through the API."""
    for i in range(rounds):
        for path, body in [
            ("receptions", RECEPTION),
            ("trainings", {"title": f"T{i}", "status": "completed"}),
            ("referrals", {"to_structure": "CAP28", "needs": ["job_search"], "message": "m"}),
        ]:
            r = client.post(f"/api/v1/shared/{token}/{path}", json=body, headers=world.advisor)
            assert r.status_code == 201, r.get_json()
        r = client.patch(
            f"/api/v1/referrals/{r.get_json()['id']}",
            json={"status": "received"},
            headers=world.cap_key,
        )
        assert r.status_code == 200, r.get_json()
        cpf = {"as_of": "2026-01-01", "balance_eur": i}
        r = client.post("/api/v1/me/cpf", json=cpf, headers=world.holder)
        assert r.status_code == 201, r.get_json()


def _kinds(statements: list[str]) -> list[str]:
    return [re.match(r"\s*(\w+)", s).group(1).upper() for s in statements]  # type: ignore[union-attr]


def _measure(count_queries, call):
    with count_queries() as q:
        response = call()
    assert response.status_code < 300, response.get_json()
    return response, _kinds(q.statements)


def test_a_token_or_a_key_authenticates_in_one_query(app, world, count_queries):
    with app.app_context():
        with count_queries() as q:
            token = find_token(world.advisor["Authorization"].split()[1])
            assert token is not None and token.user.structure.code == "ML28"
        assert q.count == 1, q.statements
        db.session.expire_all()
        with count_queries() as q:
            key = find_api_key(world.ml_key["Authorization"].split()[1])
            assert key is not None and key.structure.code == "ML28"
        assert q.count == 1, q.statements


def test_the_holder_reads_the_passport_in_two_queries_whatever_its_size(
    client, world, count_queries
):
    token = make_share(client, world, structure="ML28")["token"]
    counts = []
    for rounds in (1, 6):
        _fill(client, world, token, rounds)
        r, kinds = _measure(
            count_queries, lambda: client.get("/api/v1/me/passport", headers=world.holder)
        )
        assert r.get_json()["referrals"][0]["history"][0]["status"] == "received"
        assert r.get_json()["receptions"][0]["issuer"]["advisor"] == world.advisor_name
        counts.append(kinds)
    # the token with its user and the user's passport, then the records
    assert counts[0] == counts[1] == ["SELECT"] * 2


def test_a_read_through_a_share_costs_four_queries_and_one_write_whatever_its_size(
    app, client, runner, world, count_queries
):
    token = make_share(client, world, structure="ML28")["token"]
    counts, inserts = [], []
    for rounds in (1, 6):
        _fill(client, world, token, rounds)
        burst(runner)  # the jobs of the writes above, out of the way
        with count_queries() as q:
            r = client.get(f"/api/v1/shared/{token}", headers=world.ml_key)
        assert r.status_code == 200
        assert len(r.get_json()["trainings"]) == sum((1, 6)[: len(counts) + 1])
        counts.append(_kinds(q.statements))
        inserts += [s for s in q.statements if s.lstrip().upper().startswith("INSERT")]
    assert counts[0] == counts[1]
    # The key, the share (with passport and holder), the use counter, the records...
    assert counts[0].count("SELECT") <= 3 and counts[0].count("UPDATE") == 1
    assert len(counts[0]) <= 5
    # ...and one write for the access log: no notification in the request.
    assert counts[0].count("INSERT") == 1
    assert all(re.match(r"\s*INSERT INTO access_log\b", s, re.I) for s in inserts), inserts
    # The two writes come last, once the answer is built: no lock is held while reading.
    assert counts[0][-2:] == ["UPDATE", "INSERT"]
    # The worker groups both reads (one structure, one share) into ONE visit, ONE notice.
    burst(runner)
    with app.app_context():
        [reads] = db.session.execute(
            db.select(Visit).where(Visit.advisor_id.is_(None), Visit.share_id.is_not(None))
        ).scalars()
        assert reads.views == 2
        notices = db.session.execute(
            db.select(Notification).where(Notification.visit_id == reads.id)
        ).scalars()
        assert len(list(notices)) == 1


def test_an_append_costs_six_statements_and_one_flush(app, client, world, count_queries):
    token = make_share(client, world, structure="ML28")["token"]
    _fill(client, world, token, 3)
    with app.app_context():
        structure = get_structure("ML28")
        flushes: list[int] = []

        def count_flush(*_):
            flushes.append(1)

        event.listen(db.session, "after_flush", count_flush)
        try:
            with count_queries() as q:
                reception = records.record_reception(
                    structure,
                    world.passport_id,
                    date=date(2026, 5, 20),
                    channel="phone",
                    needs=["vae"],
                    summary="Rappel",
                )
        finally:
            event.remove(db.session, "after_flush", count_flush)
        db.session.commit()
        # lock + id, signing key, insert, new head; the indicators' group and upsert
        assert q.count <= 6, q.statements
        kinds = _kinds(q.statements)
        assert kinds[:4] == ["UPDATE", "SELECT", "INSERT", "UPDATE"], q.statements
        assert "signing_keys" in q.statements[1] and "receptions" in q.statements[2]
        assert len(flushes) == 1
        assert reception.seq == 16 and reception.signature and reception.hash


def test_an_append_through_the_api_costs_the_same_whatever_the_size(client, world, count_queries):
    token = make_share(client, world, structure="ML28")["token"]
    counts = []
    for rounds in (1, 6):
        _fill(client, world, token, rounds)
        _, kinds = _measure(
            count_queries,
            lambda: client.post(
                f"/api/v1/shared/{token}/receptions", json=RECEPTION, headers=world.ml_key
            ),
        )
        counts.append(kinds)
    assert counts[0] == counts[1]
    # key, share, use counter, access-log row, append (4), the indicators' monthly counts
    # (the structure's group, read FOR SHARE on PostgreSQL, and 1 upsert)
    assert len(counts[0]) <= 10
