"""Idempotency-Key on the API's creating POSTs: a retry creates nothing twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from passport.api.idempotency import purge_idempotent_requests
from passport.api.models import IdempotentRequest
from passport.db import utcnow
from passport.extensions import db
from passport.passports.models import Reception, Training
from tests import factories

TRAINING = {"title": "CACES R489", "status": "completed"}


@pytest.fixture
def headers(ctx):
    return factories.bearer(factories.token(factories.holder()))


def _trainings() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Training))


def test_a_retry_with_the_same_key_replays_the_first_answer(client, headers):
    keyed = {**headers, "Idempotency-Key": "order-42"}
    first = client.post("/api/v1/me/trainings", json=TRAINING, headers=keyed)
    again = client.post("/api/v1/me/trainings", json=TRAINING, headers=keyed)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _trainings() == 1


def test_without_a_key_each_post_creates(client, headers):
    client.post("/api/v1/me/trainings", json=TRAINING, headers=headers)
    client.post("/api/v1/me/trainings", json=TRAINING, headers=headers)
    assert _trainings() == 2


def test_the_same_key_with_another_body_is_refused(client, headers):
    keyed = {**headers, "Idempotency-Key": "k1"}
    client.post("/api/v1/me/trainings", json=TRAINING, headers=keyed)
    r = client.post("/api/v1/me/trainings", json={**TRAINING, "title": "Other"}, headers=keyed)
    assert r.status_code == 422
    assert _trainings() == 1


def test_a_failed_request_does_not_burn_the_key(client, headers):
    keyed = {**headers, "Idempotency-Key": "k2"}
    bad = client.post("/api/v1/me/trainings", json={"status": "completed"}, headers=keyed)
    assert bad.status_code == 422
    good = client.post("/api/v1/me/trainings", json=TRAINING, headers=keyed)
    assert good.status_code == 201
    assert _trainings() == 1


def test_keys_belong_to_their_caller(client, headers, ctx):
    other = factories.bearer(factories.token(factories.holder()))
    for h in (headers, other):
        r = client.post(
            "/api/v1/me/trainings", json=TRAINING, headers={**h, "Idempotency-Key": "same"}
        )
        assert r.status_code == 201
        assert "Idempotent-Replayed" not in r.headers
    assert _trainings() == 2


@pytest.mark.parametrize("key", ["", "a" * 256, "clé-accentuée", "two words"])
def test_malformed_keys_are_400(client, headers, key):
    r = client.post(
        "/api/v1/me/trainings", json=TRAINING, headers={**headers, "Idempotency-Key": key}
    )
    assert r.status_code == 400
    assert _trainings() == 0


def test_parallel_requests_with_one_key_write_once(app, headers):
    keyed = {**headers, "Idempotency-Key": "parallel"}
    barrier = threading.Barrier(6)
    statuses: list[int] = []

    def send():
        client = app.test_client()
        barrier.wait()
        statuses.append(
            client.post("/api/v1/me/trainings", json=TRAINING, headers=keyed).status_code
        )

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(statuses) <= {201, 409}
    assert 201 in statuses
    with app.app_context():
        assert _trainings() == 1


def test_a_retried_reception_through_a_single_use_share_is_replayed(client, ctx):
    holder = factories.holder()
    holder_headers = factories.bearer(factories.token(holder))
    structure = factories.structure("ML-I")
    key = factories.bearer(factories.api_key(structure))
    share = client.post(
        "/api/v1/me/shares",
        json={
            "sections": ["receptions"],
            "permissions": ["append"],
            "expires_in_days": 2,
            "single_use": True,
        },
        headers=holder_headers,
    ).get_json()
    token = share["url"].rsplit("/s/", 1)[1]
    body = {"date": "2026-05-20", "channel": "phone", "needs": ["vae"]}
    keyed = {**key, "Idempotency-Key": "reception-1"}
    first = client.post(f"/api/v1/shared/{token}/receptions", json=body, headers=keyed)
    again = client.post(f"/api/v1/shared/{token}/receptions", json=body, headers=keyed)
    assert first.status_code == again.status_code == 201
    assert again.get_json()["id"] == first.get_json()["id"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Reception)) == 1
    # Without the key, the used-up link answers 410 as before.
    assert (
        client.post(f"/api/v1/shared/{token}/receptions", json=body, headers=key).status_code == 410
    )


def test_old_answers_are_purged(client, headers):
    client.post(
        "/api/v1/me/trainings", json=TRAINING, headers={**headers, "Idempotency-Key": "old"}
    )
    row = db.session.execute(db.select(IdempotentRequest)).scalar_one()
    row.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    assert purge_idempotent_requests() == 1


def test_openapi_documents_the_header(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    parameters = doc["paths"]["/api/v1/me/trainings"]["post"]["parameters"]
    assert {"name": "Idempotency-Key", "in": "header"}.items() <= parameters[0].items()


def test_stored_answers_are_encrypted_and_erased_with_the_passport(client, ctx):
    from sqlalchemy import text

    user = factories.holder()
    keyed = {**factories.bearer(factories.token(user)), "Idempotency-Key": "secret-title"}
    body = {"title": "Formation au nom très particulier", "status": "planned"}
    assert client.post("/api/v1/me/trainings", json=body, headers=keyed).status_code == 201
    raw = db.session.execute(text("SELECT body, passport_id FROM idempotent_requests")).one()
    assert raw.passport_id is not None
    assert "particulier" not in raw.body
    r = client.open(
        "/api/v1/me", method="DELETE", json={"password": factories.PASSWORD}, headers=keyed
    )
    assert r.status_code == 204
    assert db.session.execute(text("SELECT count(*) FROM idempotent_requests")).scalar_one() == 0
