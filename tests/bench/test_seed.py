"""``flask bench seed``: believable passports that verify like the app's own."""

from __future__ import annotations

from passport.extensions import db
from passport.sharing.models import ShareLink
from tests.factories import bearer


def _credentials(output: str) -> dict[str, str]:
    lines = output.strip().splitlines()[-4:]
    return dict(line.split("=", 1) for line in lines)


def test_seeded_passports_export_and_verify(app, runner, client):
    result = runner.invoke(
        args=["bench", "seed", "--passports", "25", "--workers", "1", "--chunk", "10"]
    )
    assert result.exit_code == 0, result.output
    creds = _credentials(result.output)
    assert list(creds) == ["holder_token", "api_key", "share_token", "append_share_tokens"]
    append_tokens = creds["append_share_tokens"].split(",")
    assert len(set(append_tokens)) == 24  # every other passport of the 25, once each

    bundle = client.get("/api/v1/me/export", headers=bearer(creds["holder_token"]))
    assert bundle.status_code == 200
    checked = client.post(
        "/api/v1/verify", data=bundle.data, headers={"Content-Type": "application/json"}
    ).get_json()
    assert checked["valid"] is True, checked["problems"]

    key = bearer(creds["api_key"])
    shared = client.get(f"/api/v1/shared/{creds['share_token']}", headers=key)
    assert shared.status_code == 200 and shared.get_json()["receptions"]
    body = {"date": "2026-05-20", "channel": "phone", "needs": ["vae"]}
    added = client.post(f"/api/v1/shared/{creds['share_token']}/receptions", json=body, headers=key)
    assert added.status_code == 201  # the ids handed out by block left the sequences right
    assert client.get("/api/v1/structures?q=bench", headers=key).get_json()

    # The shares for appends: each to another passport, append only, for the same key.
    for token in append_tokens[:3]:
        added = client.post(f"/api/v1/shared/{token}/receptions", json=body, headers=key)
        assert added.status_code == 201, added.get_json()
        assert client.get(f"/api/v1/shared/{token}", headers=key).status_code == 403
    with app.app_context():
        shares = db.session.execute(db.select(ShareLink)).scalars()
        shared = [s.passport_id for s in shares if s.permissions == ["append"]]
        assert len(shared) == len(set(shared)) == 24


def test_seed_refuses_a_database_with_passports(app, runner):
    first = runner.invoke(args=["bench", "seed", "--passports", "2", "--workers", "1"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["bench", "seed", "--passports", "2", "--workers", "1"])
    assert again.exit_code != 0 and "empty" in again.output
