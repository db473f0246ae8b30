"""Share links through the API: /api/v1/me/shares, /me/access-log and /shared/{token}."""

from __future__ import annotations

import pytest

from passport.extensions import db
from passport.security import secret_hash
from passport.sharing.models import Visit
from tests.mailbox import burst
from tests.referrals import body_for
from tests.sharing.world import build_world, committed, expire_share, make_share

RECEPTION = {
    "date": "2026-05-20",
    "channel": "in_person",
    "needs": ["training_search", "training_funding"],
    "situation": "jobseeker",
    "outcome": "referred",
    "summary": "Souhaite une formation d'aide-soignante ; financement à étudier.",
}


@pytest.fixture
def world(app):
    return build_world(app)


def test_full_flow_share_reception_referral_workflow_log_revoke(client, world):
    # The holder creates a share for the Mission locale, read and append.
    share = make_share(
        client, world, structure="ML28", sections=["profile", "receptions", "referrals"]
    )
    assert share["url"].startswith("http://localhost/s/")
    assert share["structure"] == "ML28"
    assert share["permissions"] == ["read", "append"]
    token = share["token"]

    # The advisor opens it, records a reception and a referral to Cap emploi.
    r = client.get(f"/api/v1/shared/{token}", headers=world.advisor)
    assert r.status_code == 200
    assert r.get_json()["holder"]["full_name"] == "Léa Martin"
    assert "trainings" not in r.get_json() and "cpf" not in r.get_json()
    r = client.post(f"/api/v1/shared/{token}/receptions", json=RECEPTION, headers=world.advisor)
    assert r.status_code == 201
    reception = r.get_json()
    assert reception["issuer"] == {"structure": "ML28", "advisor": "Camille Roux"}
    assert reception["signature"].count(".") == 2
    r = client.post(
        f"/api/v1/shared/{token}/referrals",
        json={"to_structure": "CAP28", "needs": ["job_search"], "message": "RQTH en cours."},
        headers=world.advisor,
    )
    assert r.status_code == 201
    referral = r.get_json()
    assert referral["status"] == "sent" and referral["to_structure"] == "CAP28"

    # Cap emploi's key lists it and moves it along the workflow.
    r = client.get("/api/v1/referrals?status=sent", headers=world.cap_key)
    assert r.status_code == 200
    listed = r.get_json()
    assert [x["id"] for x in listed] == [referral["id"]]
    assert listed[0]["person"] == {"full_name": "Léa Martin"}
    assert listed[0]["message"] == "RQTH en cours."
    for status in ("received", "appointment", "completed"):
        r = client.patch(
            f"/api/v1/referrals/{referral['id']}", json=body_for(status), headers=world.cap_key
        )
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["status"] == status
    assert [h["status"] for h in r.get_json()["history"]] == [
        "received",
        "appointment",
        "completed",
    ]
    assert client.get("/api/v1/referrals?status=sent", headers=world.cap_key).get_json() == []

    # The holder sees who did what, newest first.
    r = client.get("/api/v1/me/access-log", headers=world.holder)
    assert r.status_code == 200
    log = r.get_json()
    # Cap emploi's three status changes are appends too (no share: it received the referral).
    changes, through_share = log[:3], log[3:]
    assert [(e["action"], e["structure"], e["share_id"]) for e in changes] == [
        ("append", "CAP28", None)
    ] * 3
    assert [e["action"] for e in through_share] == ["append", "append", "view"]
    assert {e["share_id"] for e in through_share} == {share["id"]}
    assert {e["structure"] for e in through_share} == {"ML28"}
    assert {e["advisor"] for e in through_share} == {"Camille Roux"}
    assert all(e["at"].endswith("Z") for e in log)

    # ... and the holder's passport shows the signed records.
    passport = client.get("/api/v1/me/passport", headers=world.holder).get_json()
    assert [x["id"] for x in passport["receptions"]] == [reception["id"]]
    assert passport["referrals"][0]["status"] == "completed"

    # Revoked: the link answers 410, and the attempt is logged as denied.
    assert (
        client.delete(f"/api/v1/me/shares/{share['id']}", headers=world.holder).status_code == 204
    )
    r = client.get(f"/api/v1/shared/{token}", headers=world.advisor)
    assert r.status_code == 410
    assert r.mimetype == "application/problem+json"
    assert r.get_json()["state"] == "revoked"
    assert (
        client.get("/api/v1/me/access-log", headers=world.holder).get_json()[0]["action"]
        == "denied"
    )


def test_create_share_answer_and_storage(app, client, world):
    share = make_share(client, world, passcode="1234", single_use=True, label="Pour Cap emploi")
    assert set(share) >= {"id", "url", "expires_at", "permissions", "sections", "structure"}
    assert share["structure"] is None
    assert share["sections"] == ["profile", "receptions", "referrals", "trainings", "cpf"]
    assert share["expires_at"].endswith("Z")
    token = share["token"]
    assert len(token) >= 80  # 256 random bits and an HMAC-SHA256 signature
    rows = committed(
        app, "SELECT token_hash, passcode_hash FROM share_links WHERE id = :id", id=share["id"]
    )
    token_hash, passcode_hash = rows[0]
    assert token_hash == secret_hash(token)
    assert token not in token_hash and passcode_hash.startswith("$argon2")


def test_list_shares_has_no_secret(client, world):
    share = make_share(client, world, passcode="1234")
    r = client.get("/api/v1/me/shares", headers=world.holder)
    assert r.status_code == 200
    (listed,) = r.get_json()
    assert set(listed) >= {
        "id",
        "created_at",
        "expires_at",
        "revoked_at",
        "permissions",
        "sections",
        "structure",
        "uses",
    }
    assert "url" not in listed and "token" not in listed
    assert share["token"] not in r.get_data(as_text=True)
    assert listed["state"] == "active" and listed["uses"] == 0 and listed["has_passcode"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sections": [], "permissions": ["read"], "expires_in_days": 5}, "sections"),
        ({"sections": ["health"], "permissions": ["read"], "expires_in_days": 5}, "sections.0"),
        (
            {"sections": ["profile"], "permissions": ["write"], "expires_in_days": 5},
            "permissions.0",
        ),
        ({"sections": ["profile"], "permissions": [], "expires_in_days": 5}, "permissions"),
        (
            {"sections": ["profile"], "permissions": ["read"], "expires_in_days": 0},
            "expires_in_days",
        ),
        (
            {"sections": ["profile"], "permissions": ["read"], "expires_in_days": 91},
            "expires_in_days",
        ),
        (
            {"sections": ["profile"], "permissions": ["read"], "expires_in_days": "5"},
            "expires_in_days",
        ),
        (
            {"sections": ["profile"], "permissions": ["read"], "expires_in_days": 5.5},
            "expires_in_days",
        ),
        (
            {"sections": ["profile"], "permissions": ["read"], "expires_in_days": True},
            "expires_in_days",
        ),
        ({"sections": ["profile"], "permissions": ["read"]}, "expires_in_days"),
        ({"sections": "profile", "permissions": ["read"], "expires_in_days": 5}, "sections"),
        (
            {
                "sections": ["profile"],
                "permissions": ["read"],
                "expires_in_days": 5,
                "structure": "NOPE",
            },
            "structure",
        ),
        (
            {
                "sections": ["profile"],
                "permissions": ["read"],
                "expires_in_days": 5,
                "structure": "x" * 5000,
            },
            "structure",
        ),
        (
            {
                "sections": ["profile"],
                "permissions": ["read"],
                "expires_in_days": 5,
                "passcode": "12",
            },
            "passcode",
        ),
        (
            {
                "sections": ["profile"],
                "permissions": ["read"],
                "expires_in_days": 5,
                "passcode": "1" * 100_000,
            },
            "passcode",
        ),
        (
            {
                "sections": ["profile"],
                "permissions": ["read"],
                "expires_in_days": 5,
                "single_use": "yes",
            },
            "single_use",
        ),
        (
            {
                "sections": ["profile"],
                "permissions": ["read"],
                "expires_in_days": 5,
                "label": "é" * 500,
            },
            "label",
        ),
        (
            {"sections": ["profile"], "permissions": ["read"], "expires_in_days": 5, "owner": 3},
            "owner",
        ),
    ],
)
def test_create_share_refuses_bad_input(client, world, body, field):
    r = client.post("/api/v1/me/shares", json=body, headers=world.holder)
    assert r.status_code == 422
    assert r.mimetype == "application/problem+json"
    assert field in r.get_json()["errors"]


@pytest.mark.parametrize(
    "raw", [b"{", b"[]", b"null", b"", '{"sections": ["\xe9"]'.encode("latin-1")]
)
def test_create_share_malformed_json(client, world, raw):
    r = client.post(
        "/api/v1/me/shares", data=raw, headers={**world.holder, "Content-Type": "application/json"}
    )
    assert r.status_code in (400, 422)
    assert r.mimetype == "application/problem+json"


def test_duplicates_are_merged(client, world):
    share = make_share(
        client, world, sections=["cpf", "profile", "cpf"], permissions=["read", "read"]
    )
    assert share["sections"] == ["profile", "cpf"] and share["permissions"] == ["read"]


@pytest.mark.parametrize("who", ["advisor", "ml_key", "coordinator", "admin", "ml_admin"])
def test_only_holders_manage_shares(client, world, who):
    headers = getattr(world, who)
    body = {"sections": ["profile"], "permissions": ["read"], "expires_in_days": 5}
    assert client.post("/api/v1/me/shares", json=body, headers=headers).status_code == 403
    assert client.get("/api/v1/me/shares", headers=headers).status_code == 403
    assert client.get("/api/v1/me/access-log", headers=headers).status_code == 403


def test_shares_need_credentials(client, world):
    assert client.get("/api/v1/me/shares").status_code == 401
    assert client.get("/api/v1/me/shares", headers=world.revoked_key).status_code == 401
    assert (
        client.get("/api/v1/shared/abc", headers={"Authorization": "Bearer nope"}).status_code
        == 401
    )


def test_cannot_revoke_another_holders_share(client, world):
    share = make_share(client, world)
    r = client.delete(f"/api/v1/me/shares/{share['id']}", headers=world.other_holder)
    assert r.status_code == 404
    assert client.get(f"/api/v1/shared/{share['token']}", headers=world.advisor).status_code == 200
    assert client.delete("/api/v1/me/shares/999999", headers=world.holder).status_code == 404
    assert client.delete(f"/api/v1/me/shares/{10**30}", headers=world.holder).status_code == 404


def test_revoke_twice_is_harmless(client, world):
    share = make_share(client, world)
    assert (
        client.delete(f"/api/v1/me/shares/{share['id']}", headers=world.holder).status_code == 204
    )
    assert (
        client.delete(f"/api/v1/me/shares/{share['id']}", headers=world.holder).status_code == 204
    )
    (listed,) = client.get("/api/v1/me/shares", headers=world.holder).get_json()
    assert listed["state"] == "revoked" and listed["revoked_at"] is not None


def _tampered(token: str) -> list[str]:
    secret, signature = token.split(".")
    flip = "A" if secret[5] != "A" else "B"
    return [
        secret[:5] + flip + secret[6:] + "." + signature,
        secret + "." + signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB"),
        secret,
        "." + signature,
        token + "x",
        "x" * 87,
        "x" * 5000,
        "%C3%A9" * 20,
        "a.b",
    ]


def test_tampered_or_unknown_tokens_are_404(client, world):
    share = make_share(client, world)
    for bad in _tampered(share["token"]):
        r = client.get(f"/api/v1/shared/{bad}", headers=world.advisor)
        assert r.status_code == 404, bad
        assert r.mimetype == "application/problem+json"
        r = client.post(f"/api/v1/shared/{bad}/receptions", json=RECEPTION, headers=world.advisor)
        assert r.status_code == 404
    # None of them reached the holder's log (they name no share).
    assert client.get("/api/v1/me/access-log", headers=world.holder).get_json() == []


def test_expired_share_is_410(app, client, world):
    share = make_share(client, world)
    expire_share(app, share["id"])
    r = client.get(f"/api/v1/shared/{share['token']}", headers=world.advisor)
    assert r.status_code == 410 and r.get_json()["state"] == "expired"


def test_passcode_counts_and_locks(app, client, world):
    share = make_share(client, world, passcode="7391")
    url = f"/api/v1/shared/{share['token']}"
    r = client.get(url, headers=world.advisor)
    assert r.status_code == 401 and r.get_json()["remaining_attempts"] == 10
    assert "WWW-Authenticate" in r.headers
    for remaining in range(9, 0, -1):
        r = client.get(url, headers={**world.advisor, "X-Share-Passcode": "0000"})
        assert r.status_code == 401
        assert r.get_json()["remaining_attempts"] == remaining
    # The right passcode resets nothing but works while tries are left.
    r = client.get(url, headers={**world.advisor, "X-Share-Passcode": "7391"})
    assert r.status_code == 200
    r = client.get(url, headers={**world.advisor, "X-Share-Passcode": "0000"})
    assert r.status_code == 401 and r.get_json()["remaining_attempts"] == 0
    # Ten wrong tries in its life: locked, even for the right passcode.
    r = client.get(url, headers={**world.advisor, "X-Share-Passcode": "7391"})
    assert r.status_code == 423 and r.get_json()["state"] == "locked"
    assert (
        committed(app, "SELECT failed_attempts FROM share_links WHERE id = :id", id=share["id"])[0][
            0
        ]
        == 10
    )
    (listed,) = client.get("/api/v1/me/shares", headers=world.holder).get_json()
    assert listed["state"] == "locked"
    # The holder makes a new one.
    fresh = make_share(client, world, passcode="7391")
    r = client.get(
        f"/api/v1/shared/{fresh['token']}", headers={**world.advisor, "X-Share-Passcode": "7391"}
    )
    assert r.status_code == 200


def test_huge_passcode_is_a_wrong_try_not_an_error(client, world):
    share = make_share(client, world, passcode="7391")
    r = client.get(
        f"/api/v1/shared/{share['token']}",
        headers={**world.advisor, "X-Share-Passcode": "9" * 4000},
    )
    assert r.status_code == 401 and r.get_json()["remaining_attempts"] == 9


def test_denied_attempts_are_committed(app, client, runner, world):
    share = make_share(client, world, structure="ML28", passcode="7391")
    token = share["token"]
    assert (
        client.get(f"/api/v1/shared/{token}", headers=world.cap_key).status_code == 403
    )  # audience
    assert (
        client.get(
            f"/api/v1/shared/{token}", headers={**world.advisor, "X-Share-Passcode": "1"}
        ).status_code
        == 401
    )
    rows = committed(
        app,
        "SELECT action, structure_id, advisor_id FROM access_log WHERE share_id = :id ORDER BY id",
        id=share["id"],
    )
    assert [row[0] for row in rows] == ["denied", "denied"]
    assert rows[0][2] is None and rows[1][2] is not None  # a key has no advisor
    # The worker tells the holder: one notice per visit (a key, then an advisor), with why.
    notices = "SELECT kind FROM notifications WHERE user_id = :u"
    assert committed(app, notices, u=world.holder_id) == []
    burst(runner)
    notes = committed(app, notices, u=world.holder_id)
    assert sorted(n[0] for n in notes) == ["visit", "visit"]
    with app.app_context():
        visits = db.session.execute(db.select(Visit).order_by(Visit.id)).scalars()
        reasons = [v.reasons for v in visits]
    assert [list(r.values()) for r in reasons] == [["audience"], ["passcode_wrong"]]
    assert (
        committed(app, "SELECT failed_attempts FROM share_links WHERE id = :id", id=share["id"])[0][
            0
        ]
        == 1
    )


def test_share_for_one_structure(client, world):
    share = make_share(client, world, structure="ML28")
    url = f"/api/v1/shared/{share['token']}"
    assert client.get(url, headers=world.ml_key).status_code == 200
    assert client.get(url, headers=world.advisor).status_code == 200
    assert client.get(url, headers=world.ml_admin).status_code == 200
    assert client.get(url, headers=world.cap_key).status_code == 403
    assert client.get(url, headers=world.cap_advisor).status_code == 403
    r = client.post(f"{url}/receptions", json=RECEPTION, headers=world.ft_key)
    assert r.status_code == 403


def test_share_for_any_structure(client, world):
    share = make_share(client, world)
    for headers in (world.ml_key, world.cap_key, world.ft_key, world.cap_advisor):
        assert client.get(f"/api/v1/shared/{share['token']}", headers=headers).status_code == 200


@pytest.mark.parametrize("who", ["holder", "other_holder", "coordinator", "admin"])
def test_non_structures_cannot_open_shares(client, world, who):
    share = make_share(client, world)
    headers = getattr(world, who)
    assert client.get(f"/api/v1/shared/{share['token']}", headers=headers).status_code == 403
    r = client.post(f"/api/v1/shared/{share['token']}/receptions", json=RECEPTION, headers=headers)
    assert r.status_code == 403


def test_sections_restrict_what_is_shown(client, world):
    client.post(
        "/api/v1/me/cpf", json={"as_of": "2026-01-31", "balance_eur": 1250.5}, headers=world.holder
    )
    share = make_share(client, world, sections=["cpf"], permissions=["read"])
    body = client.get(f"/api/v1/shared/{share['token']}", headers=world.advisor).get_json()
    assert body["cpf"]["balance_eur"] == 1250.5
    assert not {"holder", "receptions", "referrals", "trainings"} & set(body)


def test_append_only_share(client, world):
    share = make_share(client, world, permissions=["append"])
    url = f"/api/v1/shared/{share['token']}"
    assert client.get(url, headers=world.advisor).status_code == 403
    r = client.post(
        f"{url}/trainings",
        json={"title": "CACES R489", "status": "completed", "hours": 35},
        headers=world.advisor,
    )
    assert r.status_code == 201
    training = r.get_json()
    assert training["issuer"] == {"structure": "ML28", "advisor": "Camille Roux"}
    assert training["signature"] and training["hours"] == 35


def test_read_only_share_refuses_appends(client, world):
    share = make_share(client, world, permissions=["read"])
    url = f"/api/v1/shared/{share['token']}"
    assert (
        client.post(f"{url}/receptions", json=RECEPTION, headers=world.advisor).status_code == 403
    )
    referral = {"to_structure": "CAP28", "needs": ["job_search"]}
    assert client.post(f"{url}/referrals", json=referral, headers=world.advisor).status_code == 403
    training = {"title": "BAFA", "status": "planned"}
    assert client.post(f"{url}/trainings", json=training, headers=world.advisor).status_code == 403


def test_single_use_share(client, world):
    share = make_share(client, world, single_use=True)
    url = f"/api/v1/shared/{share['token']}"
    # A bad request does not use it up.
    assert (
        client.post(f"{url}/receptions", json={"date": "nope"}, headers=world.advisor).status_code
        == 422
    )
    assert client.get(url, headers=world.advisor).status_code == 200
    r = client.get(url, headers=world.advisor)
    assert r.status_code == 410 and r.get_json()["state"] == "used_up"
    assert (
        client.post(f"{url}/receptions", json=RECEPTION, headers=world.advisor).status_code == 410
    )
    (listed,) = client.get("/api/v1/me/shares", headers=world.holder).get_json()
    assert listed["state"] == "used_up" and listed["uses"] == 1


def test_uses_are_counted(client, world):
    share = make_share(client, world)
    for _ in range(3):
        client.get(f"/api/v1/shared/{share['token']}", headers=world.advisor)
    (listed,) = client.get("/api/v1/me/shares", headers=world.holder).get_json()
    assert listed["uses"] == 3


def test_suspend_and_resume(client, world):
    share = make_share(client, world)
    url = f"/api/v1/shared/{share['token']}"
    r = client.post(f"/api/v1/me/shares/{share['id']}/suspend", headers=world.holder)
    assert r.status_code == 200 and r.get_json()["state"] == "suspended"
    r = client.get(url, headers=world.advisor)
    assert r.status_code == 410 and r.get_json()["state"] == "suspended"
    assert (
        client.post(f"/api/v1/me/shares/{share['id']}/resume", headers=world.holder).status_code
        == 200
    )
    assert client.get(url, headers=world.advisor).status_code == 200
    assert (
        client.post(
            f"/api/v1/me/shares/{share['id']}/suspend", headers=world.other_holder
        ).status_code
        == 404
    )
    client.delete(f"/api/v1/me/shares/{share['id']}", headers=world.holder)
    assert (
        client.post(f"/api/v1/me/shares/{share['id']}/resume", headers=world.holder).status_code
        == 410
    )


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("receptions", {**RECEPTION, "channel": "pigeon"}, "channel"),
        ("receptions", {**RECEPTION, "needs": ["astrology"]}, "needs.0"),
        ("receptions", {**RECEPTION, "needs": []}, "needs"),
        ("receptions", {**RECEPTION, "date": "2026-02-30"}, "date"),
        ("receptions", {**RECEPTION, "date": "2999-01-01"}, "date"),
        ("receptions", {**RECEPTION, "summary": "x" * 6000}, "summary"),
        ("receptions", {**RECEPTION, "situation": 3}, "situation"),
        ("receptions", {**RECEPTION, "outcome": "lost"}, "outcome"),
        ("referrals", {"to_structure": "NOPE", "needs": ["job_search"]}, "to_structure"),
        ("referrals", {"to_structure": "ML28", "needs": ["job_search"]}, "to_structure"),
        ("referrals", {"to_structure": "CAP28", "needs": "job_search"}, "needs"),
        ("referrals", {"to_structure": "CAP28"}, "needs"),
        ("trainings", {"title": "x", "status": "done"}, "status"),
        ("trainings", {"title": "x" * 301, "status": "planned"}, "title"),
    ],
)
def test_appends_refuse_bad_input(client, world, path, body, field):
    share = make_share(client, world)
    r = client.post(f"/api/v1/shared/{share['token']}/{path}", json=body, headers=world.advisor)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"]


def test_appends_refuse_malformed_json(client, world):
    share = make_share(client, world)
    url = f"/api/v1/shared/{share['token']}/receptions"
    for raw in (b"{", b"not json", b"[1,2]", b"\xff\xfe"):
        r = client.post(
            url, data=raw, headers={**world.advisor, "Content-Type": "application/json"}
        )
        assert r.status_code in (400, 422)
    # Nothing was logged for requests that failed on their body.
    assert client.get("/api/v1/me/access-log", headers=world.holder).get_json() == []


def test_access_log_pagination(client, world):
    share = make_share(client, world)
    for _ in range(5):
        client.get(f"/api/v1/shared/{share['token']}", headers=world.advisor)
    r = client.get("/api/v1/me/access-log?per_page=2&page=2", headers=world.holder)
    assert r.status_code == 200
    assert len(r.get_json()) == 2
    assert r.headers["X-Total-Count"] == "5"
    assert 'rel="next"' in r.headers["Link"] and 'rel="prev"' in r.headers["Link"]
    everything = client.get("/api/v1/me/access-log?per_page=1000", headers=world.holder).get_json()
    assert len(everything) == 5
    times = [e["at"] for e in everything]
    assert times == sorted(times, reverse=True)
    for bad in ("page=0", "page=abc", "per_page=-1", "page=" + "9" * 40):
        r = client.get(f"/api/v1/me/access-log?{bad}", headers=world.holder)
        assert r.status_code == 422, bad


def test_access_log_is_the_holders_own(client, world):
    share = make_share(client, world)
    client.get(f"/api/v1/shared/{share['token']}", headers=world.advisor)
    assert client.get("/api/v1/me/access-log", headers=world.other_holder).get_json() == []


def test_openapi_documents_the_sharing_endpoints(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    paths = doc["paths"]
    assert set(paths["/api/v1/me/shares"]) == {"get", "post"}
    assert "delete" in paths["/api/v1/me/shares/{share_id}"]
    assert "get" in paths["/api/v1/me/access-log"]
    assert "get" in paths["/api/v1/shared/{token}"]
    for kind in ("receptions", "referrals", "trainings"):
        operation = paths[f"/api/v1/shared/{{token}}/{kind}"]["post"]
        assert {"201", "401", "403", "404", "410", "423"} <= set(operation["responses"])
    assert "ShareIn" in doc["components"]["schemas"]


ODD_BODIES = [
    None,
    0,
    "text",
    [],
    [{}],
    {"sections": None},
    {"sections": [None], "permissions": [1], "expires_in_days": 1e308},
    {"sections": ["profile"], "permissions": ["read"], "expires_in_days": 10**40},
    {"date": "2026-05-20", "channel": "phone", "needs": [["vae"]]},
    {"date": "0000-00-00", "channel": {}, "needs": {}},
    {"to_structure": ["CAP28"], "needs": ["job_search"]},
    {"to_structure": "CAP28\u0000", "needs": ["job_search"]},
    {"title": "\ud800", "status": "planned"},
    {"status": "received", "note": None},
    {"a" * 10_000: "b"},
]


@pytest.mark.parametrize("body", ODD_BODIES)
def test_odd_bodies_never_give_a_500(client, world, body):
    share = make_share(client, world)
    token = share["token"]
    calls = [
        ("POST", "/api/v1/me/shares", world.holder),
        ("POST", f"/api/v1/shared/{token}/receptions", world.advisor),
        ("POST", f"/api/v1/shared/{token}/referrals", world.advisor),
        ("POST", f"/api/v1/shared/{token}/trainings", world.advisor),
        ("POST", "/api/v1/receptions", world.ml_key),
        ("PATCH", "/api/v1/referrals/1", world.cap_key),
    ]
    for method, url, headers in calls:
        r = client.open(url, method=method, json=body, headers=headers)
        assert r.status_code < 500, (url, r.get_json())
        assert r.status_code in (400, 404, 422), (url, r.status_code)


@pytest.mark.parametrize(
    "query",
    ["page=%C2%B2", "page=\u0662", "per_page=1e3", "page=1&page=2", "page=%00", "page=" + "1" * 50],
)
def test_odd_queries_never_give_a_500(client, world, query):
    for url, headers in (
        ("/api/v1/me/access-log", world.holder),
        ("/api/v1/referrals", world.cap_key),
    ):
        r = client.get(f"{url}?{query}", headers=headers)
        assert r.status_code in (200, 400, 422), (url, query, r.status_code)
    for q in ("department=%D9%A2%D9%A8", "department=28%0A", "need=%00"):
        assert client.get(f"/api/v1/structures?{q}").status_code in (400, 422)
