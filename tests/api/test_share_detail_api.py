"""GET /api/v1/me/shares/{id} (API.md): one share as in the list, plus ``url`` while the
share is active. The token is kept encrypted at rest for that, and never reaches a log."""

from __future__ import annotations

import logging

import pytest

from passport.extensions import db
from passport.sharing.models import ShareLink
from tests.sharing.world import build_world, committed, expire_share, make_share


@pytest.fixture
def world(app):
    return build_world(app)


def _detail(client, world, share_id: int, headers=None):
    return client.get(f"/api/v1/me/shares/{share_id}", headers=headers or world.holder)


def test_an_active_share_gives_its_url_again(client, world):
    share = make_share(client, world, structure="ML28")
    r = _detail(client, world, share["id"])
    assert r.status_code == 200
    body = r.get_json()
    assert body["url"] == share["url"] and body["state"] == "active"
    assert "no-store" in r.headers["Cache-Control"]
    listed = client.get("/api/v1/me/shares", headers=world.holder).get_json()
    assert "url" not in listed[0]  # the list still carries no secret
    assert {k: v for k, v in body.items() if k != "url"} == listed[0]  # plus url, as listed
    # the link given again still opens
    assert client.get(f"/api/v1/shared/{share['token']}", headers=world.ml_key).status_code == 200


def test_the_token_is_stored_encrypted(app, client, world):
    share = make_share(client, world)
    ((stored, digest),) = committed(
        app, "SELECT sealed_token, token_hash FROM share_links WHERE id = :id", id=share["id"]
    )
    assert stored.startswith("enc1:") and share["token"] not in stored
    assert share["token"] not in digest


def test_no_url_after_revocation_and_the_kept_token_is_erased(app, client, world):
    share = make_share(client, world)
    assert (
        client.delete(f"/api/v1/me/shares/{share['id']}", headers=world.holder).status_code == 204
    )
    body = _detail(client, world, share["id"]).get_json()
    assert body["url"] is None and body["revoked_at"] is not None
    assert committed(
        app, "SELECT sealed_token FROM share_links WHERE id = :id", id=share["id"]
    ) == [(None,)]


def test_no_url_after_expiry(app, client, world):
    share = make_share(client, world)
    expire_share(app, share["id"])
    body = _detail(client, world, share["id"]).get_json()
    assert body["url"] is None and body["state"] == "expired"


def test_no_url_while_suspended_then_again_when_resumed(client, world):
    share = make_share(client, world)
    client.post(f"/api/v1/me/shares/{share['id']}/suspend", headers=world.holder)
    assert _detail(client, world, share["id"]).get_json()["url"] is None
    client.post(f"/api/v1/me/shares/{share['id']}/resume", headers=world.holder)
    assert _detail(client, world, share["id"]).get_json()["url"] == share["url"]


def test_no_url_once_a_single_use_share_is_used_up(client, world):
    share = make_share(client, world, single_use=True)
    assert client.get(f"/api/v1/shared/{share['token']}", headers=world.ml_key).status_code == 200
    body = _detail(client, world, share["id"]).get_json()
    assert body["url"] is None and body["state"] == "used_up"


def test_a_share_made_before_tokens_were_kept_has_no_url(app, client, world):
    share = make_share(client, world)
    with app.app_context():  # as the migration left the shares made before it
        db.session.get(ShareLink, share["id"]).sealed_token = None
        db.session.commit()
    body = _detail(client, world, share["id"]).get_json()
    assert body["url"] is None and body["state"] == "active"


def test_only_its_holder_sees_it(client, world):
    share = make_share(client, world)
    assert _detail(client, world, share["id"], world.other_holder).status_code == 404
    assert _detail(client, world, share["id"], world.advisor).status_code == 403
    assert _detail(client, world, share["id"], world.ml_key).status_code == 403
    assert client.get(f"/api/v1/me/shares/{share['id']}").status_code == 401
    assert _detail(client, world, 987654).status_code == 404
    assert _detail(client, world, 99999999999999999999).status_code == 404
    r = _detail(client, world, share["id"], world.other_holder)
    assert r.headers["Content-Type"].startswith("application/problem+json")


def test_the_token_never_reaches_a_log(client, world, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # statements and parameters
    share = make_share(client, world, structure="ML28")
    assert _detail(client, world, share["id"]).status_code == 200
    client.get(f"/api/v1/shared/{share['token']}", headers=world.ml_key)
    client.delete(f"/api/v1/me/shares/{share['id']}", headers=world.holder)
    assert _detail(client, world, share["id"]).get_json()["url"] is None
    assert "share_links" in caplog.text  # the statements were logged...
    assert share["token"] not in caplog.text  # ...never the token


def test_the_openapi_document_describes_it(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    operation = doc["paths"]["/api/v1/me/shares/{share_id}"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/ShareDetail")
    detail = doc["components"]["schemas"]["ShareDetail"]
    assert "url" in detail["required"] and detail["properties"]["url"]["type"] == [
        "string",
        "null",
    ]


def _kept(app, share_id: int):
    ((stored,),) = committed(
        app, "SELECT sealed_token FROM share_links WHERE id = :id", id=share_id
    )
    return stored


def test_the_daily_purge_erases_the_tokens_of_shares_that_cannot_open_again(app, client, world):
    from passport.trust import retention

    active = make_share(client, world)
    suspended = make_share(client, world)
    client.post(f"/api/v1/me/shares/{suspended['id']}/suspend", headers=world.holder)
    expired = make_share(client, world)
    expire_share(app, expired["id"])
    used_up = make_share(client, world, single_use=True)
    assert client.get(f"/api/v1/shared/{used_up['token']}", headers=world.ml_key).status_code == 200
    locked = make_share(client, world)
    with app.app_context():
        db.session.get(ShareLink, locked["id"]).failed_attempts = 10
        db.session.commit()
    dead = [expired, used_up, locked]
    assert all(_kept(app, s["id"]) for s in [active, suspended, *dead])

    with app.app_context():
        assert retention.purge(dry_run=True).share_tokens == 3
        assert all(_kept(app, s["id"]) for s in dead)  # a dry run changes nothing
        assert retention.purge().share_tokens == 3
        db.session.commit()

    assert [_kept(app, s["id"]) for s in dead] == [None, None, None]
    assert _kept(app, active["id"]) and _kept(app, suspended["id"])
    assert _detail(client, world, expired["id"]).get_json()["url"] is None
    assert _detail(client, world, active["id"]).get_json()["url"] == active["url"]
    client.post(f"/api/v1/me/shares/{suspended['id']}/resume", headers=world.holder)
    assert _detail(client, world, suspended["id"]).get_json()["url"] == suspended["url"]
    with app.app_context():
        assert retention.purge().share_tokens == 0


def test_the_worker_s_daily_purge_erases_an_expired_share_s_token(app, client, runner, world):
    from tests.mailbox import burst

    expired = make_share(client, world)
    expire_share(app, expired["id"])
    with app.app_context():
        assert "daily_purge" in burst(runner, "--schedule")
    assert _kept(app, expired["id"]) is None
    assert _detail(client, world, expired["id"]).get_json()["url"] is None


def test_purge_command_says_how_many_tokens_went(app, client, runner, world):
    from passport.trust.cli import purge_command

    if "purge" not in app.cli.commands:
        app.cli.add_command(purge_command)
    expire_share(app, make_share(client, world)["id"])
    dry = runner.invoke(args=["purge", "--dry-run"])
    assert "dont le jeton chiffré est à effacer : 1." in dry.output, dry.output
    done = runner.invoke(args=["purge"])
    assert "dont le jeton chiffré est effacé : 1." in done.output, done.output
