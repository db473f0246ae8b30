"""Erasure: DELETE /api/v1/me and the "Mes données" flow leave nothing personal behind.

The proof reads every table's raw rows with plain SQL: no name, email, free text, id or
hash of the holder anywhere, not even inside a JWS (whose payload is only base64).
"""

from __future__ import annotations

import base64
import contextlib
import json
import re

import pytest
from sqlalchemy import text

from passport.extensions import db
from passport.notifications import queue
from passport.trust.erasure import erase_holder
from tests import factories as f
from tests.trust.conftest import (
    ANON_SUMMARY,
    HOLDER_EMAIL,
    HOLDER_NAME,
    MESSAGE,
    NOTE,
    OTHER_SUMMARY,
    SUMMARY,
)

PERSONAL = [HOLDER_NAME, "Zéphyrine", HOLDER_EMAIL, SUMMARY, MESSAGE, NOTE, "NOTE-ACCUEIL-7f3a"]


def raw_rows(app) -> dict[str, list[dict]]:
    """Every row of every table, as plain SQL returns it."""
    found = {}
    with app.app_context(), db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            rows = conn.execute(text(f'SELECT * FROM "{table.name}"'))  # noqa: S608
            found[table.name] = [dict(row._mapping) for row in rows]
    return found


def _texts(value) -> list[str]:
    """A raw value as text, plus whatever base64 segments inside it decode to."""
    if value is None:
        return []
    if isinstance(value, bytes | memoryview):
        value = bytes(value).decode("utf-8", "replace")
    if not isinstance(value, str):
        value = json.dumps(value, default=str, ensure_ascii=False)
    out = [value]
    for segment in re.findall(r"[A-Za-z0-9_\-+/]{16,}", value):
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            out.append(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)).decode())
    return out


def leaks(app, needles: list[str]) -> list[str]:
    hits = []
    for table, rows in raw_rows(app).items():
        for row in rows:
            for column, value in row.items():
                for candidate in _texts(value):
                    hits += [f"{table}.{column}: {n}" for n in needles if n in candidate]
    return hits


def references(app, user_id: int, passport_id: int) -> list[str]:
    """Columns that still point at the erased account or passport."""
    hits = []
    rows = raw_rows(app)
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            targets = {fk.column.table.name for fk in column.foreign_keys}
            erased = {"users": user_id, "passports": passport_id}
            for target, erased_id in erased.items():
                if target in targets or (table.name == target and column.name == "id"):
                    hits += [
                        f"{table.name}.{column.name}"
                        for row in rows[table.name]
                        if row[column.name] == erased_id
                    ]
    return hits


def _counts(app) -> dict[str, int]:
    rows = raw_rows(app)
    return {t: len(rows[t]) for t in ("receptions", "referrals", "referral_events")}


def _open_share_as_structure(client, world) -> None:
    """An access through a share: an access-log row and a notification to the holder."""
    r = client.post(
        "/api/v1/me/shares",
        json={"sections": ["profile", "receptions"], "permissions": ["read"], "expires_in_days": 7},
        headers=world.auth,
    )
    assert r.status_code == 201
    token = r.get_json()["url"].rsplit("/s/", 1)[1]
    assert client.get(f"/api/v1/shared/{token}", headers=f.bearer(world.ml_key)).status_code == 200


def test_the_world_holds_personal_data_before(app, client, world):
    """The detector works: before erasure it finds the holder everywhere it should."""
    _open_share_as_structure(client, world)
    queue.run_burst(app)  # the worker groups the access into a visit, with its notice
    found = leaks(app, PERSONAL)
    assert any(hit.startswith("users.full_name") for hit in found)
    assert any(hit.startswith("users.email") for hit in found)
    assert references(app, world.holder_id, world.passport_id)
    rows = raw_rows(app)
    assert rows["access_log"] and rows["share_links"] and rows["notifications"]
    assert rows["visits"]


def test_erasure_through_the_api_leaves_nothing_personal(app, client, world):
    _open_share_as_structure(client, world)
    queue.run_burst(app)
    bundle = client.get("/api/v1/me/export", headers=world.auth).get_json()
    hashes = [r["hash"] for r in bundle["records"]] + [r["prev_hash"] for r in bundle["records"]]
    before = _counts(app)

    r = client.delete("/api/v1/me", json={"password": f.PASSWORD}, headers=world.auth)
    assert r.status_code == 204 and r.data == b""

    assert leaks(app, PERSONAL + [h for h in hashes if h]) == []
    assert references(app, world.holder_id, world.passport_id) == []
    rows = raw_rows(app)
    # the account's own things are gone
    assert not [t for t in rows["api_tokens"] if t["user_id"] == world.holder_id]
    assert rows["share_links"] == [] and rows["access_log"] == [] and rows["notifications"] == []
    assert rows["visits"] == []
    assert [t["title"] for t in rows["trainings"]] == []
    # the barometer and the partnership indicators keep their counts, anonymously
    assert _counts(app) == before
    for table in ("receptions", "referrals", "referral_events"):
        for row in rows[table]:
            if row["passport_id"] is None:
                assert (row["seq"], row["prev_hash"], row["hash"]) == (None, None, None)
    (reception,) = [r for r in rows["receptions"] if str(r["date"]) == "2026-03-02"]
    assert reception["passport_id"] is None and reception["summary"] is None
    assert reception["signature"] is None  # a JWS would carry the summary in base64
    assert reception["issuer_advisor_id"] == world.advisor_id  # kept: not about the holder
    needs = reception["needs"]
    assert (needs if isinstance(needs, list) else json.loads(needs)) == [
        "training_funding",
        "training_search",
    ]
    (referral,) = rows["referrals"]
    assert referral["message"] is None and referral["signature"] is None
    assert referral["status"] == "received"
    (event,) = rows["referral_events"]
    assert event["note"] is None and event["signature"] is None
    # the other holder and the anonymous reception are untouched
    assert leaks(app, [OTHER_SUMMARY]) == []  # still encrypted at rest...
    other = client.get("/api/v1/me/export", headers=f.bearer(world.other_token)).get_json()
    assert other["records"][0]["content"]["summary"] == OTHER_SUMMARY  # ...and readable
    assert client.post("/api/v1/verify", json=other).get_json()["valid"] is True
    with app.app_context():
        from passport.passports.models import Reception

        anonymous = (
            db.session.execute(
                db.select(Reception).where(
                    Reception.summary.is_not(None), Reception.passport_id.is_(None)
                )
            )
            .scalars()
            .unique()
            .all()
        )
        assert [a.summary for a in anonymous] == [ANON_SUMMARY]


def test_the_token_stops_working(client, world):
    assert (
        client.delete("/api/v1/me", json={"password": f.PASSWORD}, headers=world.auth).status_code
        == 204
    )
    assert client.get("/api/v1/me/passport", headers=world.auth).status_code == 401
    r = client.post("/api/v1/auth/token", json={"email": HOLDER_EMAIL, "password": f.PASSWORD})
    assert r.status_code == 401


def test_a_wrong_password_erases_nothing(app, client, world):
    r = client.delete("/api/v1/me", json={"password": "not the password"}, headers=world.auth)
    assert r.status_code == 403
    assert r.mimetype == "application/problem+json"
    assert client.get("/api/v1/me/passport", headers=world.auth).status_code == 200
    assert any(hit.startswith("users.email") for hit in leaks(app, [HOLDER_EMAIL]))


@pytest.mark.parametrize(
    ("body", "status"),
    [(None, 400), ({}, 422), ({"password": 12}, 422), ({"password": "x", "also": 1}, 422)],
)
def test_erasure_body_is_validated(client, world, body, status):
    r = client.delete("/api/v1/me", json=body, headers=world.auth)
    assert r.status_code == status


def test_erasure_is_for_holders_only(app, client, world):
    with app.app_context():
        advisor_token = f.token(f.staff("advisor", f.structure()))
    assert client.delete("/api/v1/me", json={"password": f.PASSWORD}).status_code == 401
    r = client.delete("/api/v1/me", json={"password": f.PASSWORD}, headers=f.bearer(advisor_token))
    assert r.status_code == 403
    r = client.delete("/api/v1/me", json={"password": f.PASSWORD}, headers=f.bearer(world.ml_key))
    assert r.status_code == 403


def test_guessing_the_password_is_rate_limited(client, world):
    statuses = [
        client.delete("/api/v1/me", json={"password": f"guess {n}"}, headers=world.auth).status_code
        for n in range(11)
    ]
    assert statuses == [403] * 10 + [429]


def test_erase_holder_reports_what_it_did(app, world):
    with app.app_context():
        report = erase_holder(world.holder_id)
        db.session.commit()
    assert report.deleted["users"] == 1 and report.deleted["passports"] == 1
    assert report.deleted["trainings"] == 3 and report.deleted["cpf_statements"] == 1
    assert report.anonymised == {"receptions": 1, "referrals": 1, "referral_events": 1}


# --- the browser flow ---------------------------------------------------------------------------


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


def _login(client, email=HOLDER_EMAIL, password=f.PASSWORD) -> None:
    page = client.get("/connexion").get_data(as_text=True)
    r = client.post(
        "/connexion", data={"csrf_token": _csrf(page), "email": email, "password": password}
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:500]


def test_erasure_in_the_browser(app, client, world):
    _login(client)
    page = client.get("/mes-donnees").get_data(as_text=True)
    assert "Effacer mon compte" in page
    page = client.get("/mes-donnees/effacer").get_data(as_text=True)
    assert 'type="password"' in page and 'type="checkbox"' in page
    token = _csrf(page)
    # no confirmation ticked: nothing happens, the error is next to the box
    r = client.post("/mes-donnees/effacer", data={"csrf_token": token, "password": f.PASSWORD})
    assert r.status_code == 200
    assert "Cochez cette case pour confirmer" in r.get_data(as_text=True)
    # wrong password
    r = client.post(
        "/mes-donnees/effacer", data={"csrf_token": token, "password": "wrong", "confirm": "y"}
    )
    assert "Ce mot de passe n&#39;est pas le bon." in r.get_data(as_text=True)
    assert leaks(app, [HOLDER_EMAIL])
    # without the CSRF token: refused
    r = client.post("/mes-donnees/effacer", data={"password": f.PASSWORD, "confirm": "y"})
    assert r.status_code == 400
    assert leaks(app, [HOLDER_EMAIL])
    # both: erased, logged out, told so
    r = client.post(
        "/mes-donnees/effacer",
        data={"csrf_token": token, "password": f.PASSWORD, "confirm": "y"},
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/")
    home = client.get("/").get_data(as_text=True)
    assert "ont été effacés" in home
    assert client.get("/passeport/").status_code == 302  # to the login page
    assert leaks(app, PERSONAL) == []
    assert references(app, world.holder_id, world.passport_id) == []


def test_the_detector_reads_inside_a_jws():
    payload = base64.urlsafe_b64encode(
        json.dumps({"summary": SUMMARY}, ensure_ascii=False).encode()
    ).rstrip(b"=")
    token = f"eyJhbGciOiJFZERTQSJ9.{payload.decode()}.c2lnbmF0dXJlLWJ5dGVz"
    assert any(SUMMARY in t for t in _texts(token))
