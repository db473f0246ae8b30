"""Who may do what: the policy as a matrix (role × action × resource), then the same over HTTP."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from passport.extensions import db
from passport.passports import services as passports
from passport.records import services as records
from passport.sharing import policy
from passport.sharing import services as sharing
from passport.structures import services as structures
from tests import factories
from tests.sharing.world import build_world, make_share


@pytest.fixture
def cast(ctx):
    """Actors and resources, all in one session, for the policy matrix."""
    ml = factories.structure("ML28", "ML")
    cap = factories.structure("CAP28", "CAP")
    holder_a, holder_b = factories.holder(), factories.holder()
    passport_a = passports.passport_of(holder_a)
    passport_b = passports.passport_of(holder_b)

    def share(**kw):
        values = {
            "sections": ["profile"],
            "permissions": ["read", "append"],
            "expires_in_days": 5,
            **kw,
        }
        return sharing.create_share(passport_a, **values).share

    revoked = share(structure="ML28")
    sharing.revoke_share(revoked)
    expired = share()
    from datetime import timedelta

    from passport.db import utcnow

    expired.expires_at = utcnow() - timedelta(minutes=1)
    ml_key_secret, ml_key = structures.create_api_key(ml)
    _, revoked_key = structures.create_api_key(ml)
    structures.revoke_api_key(revoked_key)
    _, cap_key = structures.create_api_key(cap)
    inactive = factories.staff("advisor", ml)
    inactive.active = False
    referral = records.send_referral(ml, passport_a.id, cap, needs=["job_search"])
    db.session.commit()
    actors = {
        "anonymous": None,
        "holder_a": holder_a,
        "holder_b": holder_b,
        "ml_advisor": factories.staff("advisor", ml),
        "ml_admin": factories.staff("structure_admin", ml),
        "cap_advisor": factories.staff("advisor", cap),
        "cap_admin": factories.staff("structure_admin", cap),
        "inactive_ml_advisor": inactive,
        "ml_key": ml_key,
        "cap_key": cap_key,
        "revoked_ml_key": revoked_key,
        "coordinator": factories.staff("coordinator", None),
        "admin": factories.staff("admin", None),
    }
    resources = {
        "none": None,
        "passport_a": passport_a,
        "passport_b": passport_b,
        "share_any": share(),
        "share_ml": share(structure="ML28"),
        "share_ml_revoked": revoked,
        "share_expired": expired,
        "share_read_only": share(permissions=["read"]),
        "share_append_only": share(permissions=["append"]),
        "referral_to_cap": referral,
        "ml": ml,
        "cap": cap,
    }
    db.session.commit()
    return SimpleNamespace(actors=actors, resources=resources)


A = policy.Action
MATRIX = [
    # the holder's own things
    *[
        (who, A.SHARE_CREATE, "passport_a", who == "holder_a")
        for who in (
            "holder_a",
            "holder_b",
            "ml_advisor",
            "ml_key",
            "coordinator",
            "admin",
            "anonymous",
        )
    ],
    *[
        (who, A.SHARE_LIST, "passport_a", who == "holder_a")
        for who in ("holder_a", "holder_b", "ml_admin", "cap_key")
    ],
    *[
        (who, A.ACCESS_LOG_READ, "passport_a", who == "holder_a")
        for who in ("holder_a", "holder_b", "ml_advisor", "coordinator")
    ],
    ("holder_b", A.SHARE_CREATE, "passport_b", True),
    *[
        (who, A.SHARE_MANAGE, "share_any", who == "holder_a")
        for who in (
            "holder_a",
            "holder_b",
            "ml_advisor",
            "ml_key",
            "coordinator",
            "admin",
            "anonymous",
        )
    ],
    # opening shares: audience, state, permission
    *[
        (who, A.SHARE_VIEW, "share_ml", who in ("ml_advisor", "ml_admin", "ml_key"))
        for who in (
            "ml_advisor",
            "ml_admin",
            "ml_key",
            "cap_advisor",
            "cap_key",
            "revoked_ml_key",
            "inactive_ml_advisor",
            "holder_a",
            "coordinator",
            "admin",
            "anonymous",
        )
    ],
    *[
        (who, A.SHARE_VIEW, "share_any", who in ("ml_key", "cap_key", "cap_advisor"))
        for who in ("ml_key", "cap_key", "cap_advisor", "holder_a", "coordinator")
    ],
    *[
        (who, A.SHARE_VIEW, "share_ml_revoked", False)
        for who in ("ml_advisor", "ml_key", "holder_a")
    ],
    *[(who, A.SHARE_APPEND, "share_ml_revoked", False) for who in ("ml_advisor", "ml_key")],
    *[(who, A.SHARE_VIEW, "share_expired", False) for who in ("ml_advisor", "cap_key")],
    ("ml_key", A.SHARE_VIEW, "share_append_only", False),
    ("ml_key", A.SHARE_APPEND, "share_append_only", True),
    ("ml_key", A.SHARE_APPEND, "share_read_only", False),
    ("ml_key", A.SHARE_VIEW, "share_read_only", True),
    ("cap_key", A.SHARE_APPEND, "share_ml", False),
    ("ml_advisor", A.SHARE_APPEND, "share_ml", True),
    ("ml_key", A.SHARE_VIEW, "passport_a", False),  # a share action needs a share
    # referrals
    *[
        (who, A.REFERRAL_UPDATE, "referral_to_cap", who in ("cap_key", "cap_advisor", "cap_admin"))
        for who in (
            "cap_key",
            "cap_advisor",
            "cap_admin",
            "ml_key",
            "ml_advisor",
            "revoked_ml_key",
            "holder_a",
            "coordinator",
            "admin",
            "anonymous",
        )
    ],
    *[
        (who, A.REFERRAL_LIST, "cap", who in ("cap_key", "cap_advisor"))
        for who in ("cap_key", "cap_advisor", "ml_key", "ml_advisor", "coordinator", "holder_a")
    ],
    ("ml_key", A.REFERRAL_LIST, "ml", True),
    # anonymous receptions
    *[
        (who, A.RECEPTION_ANONYMOUS, "none", who in ("ml_key", "ml_advisor", "cap_admin"))
        for who in (
            "ml_key",
            "ml_advisor",
            "cap_admin",
            "revoked_ml_key",
            "inactive_ml_advisor",
            "holder_a",
            "coordinator",
            "admin",
            "anonymous",
        )
    ],
    # API keys of a structure
    *[
        (who, A.APIKEY_MANAGE, "ml", who in ("ml_admin", "admin"))
        for who in (
            "ml_admin",
            "admin",
            "ml_advisor",
            "cap_admin",
            "ml_key",
            "coordinator",
            "holder_a",
            "anonymous",
        )
    ],
    ("cap_admin", A.APIKEY_MANAGE, "cap", True),
    # editing a directory entry: the same people as its API keys
    *[
        (who, A.DIRECTORY_EDIT, "ml", who in ("ml_admin", "admin"))
        for who in (
            "ml_admin",
            "admin",
            "ml_advisor",
            "cap_admin",
            "ml_key",
            "coordinator",
            "holder_a",
            "anonymous",
        )
    ],
    # correcting a record: only the structure that wrote it (the referral was sent by ML)
    *[
        (who, A.RECORD_CORRECT, "referral_to_cap", who in ("ml_advisor", "ml_admin", "ml_key"))
        for who in (
            "ml_advisor",
            "ml_admin",
            "ml_key",
            "cap_advisor",
            "cap_key",
            "inactive_ml_advisor",
            "revoked_ml_key",
            "holder_a",
            "coordinator",
            "admin",
            "anonymous",
        )
    ],
    ("ml_key", A.RECORD_CORRECT, "passport_a", False),
    # indicators and the directory
    *[
        (who, A.INDICATORS_READ, "none", who in ("coordinator", "admin"))
        for who in ("coordinator", "admin", "ml_advisor", "ml_key", "holder_a", "anonymous")
    ],
    *[(who, A.STRUCTURE_DIRECTORY, "none", True) for who in ("anonymous", "holder_a", "ml_key")],
]


@pytest.mark.parametrize(("actor", "action", "resource", "allowed"), MATRIX)
def test_policy_matrix(cast, actor, action, resource, allowed):
    assert policy.can(cast.actors[actor], action, cast.resources[resource]) is allowed


def test_every_action_is_in_the_matrix():
    assert {row[1] for row in MATRIX} == set(policy.Action)


def test_unknown_action_is_an_error(cast):
    with pytest.raises(ValueError, match="share.delete_everything"):
        policy.can(cast.actors["holder_a"], "share.delete_everything", None)


# ------------------------------------------------------------------ the same over HTTP


@pytest.fixture
def web(app, client):
    world = build_world(app)
    shares = {
        "any": make_share(client, world),
        "ml": make_share(client, world, structure="ML28"),
        "ml_revoked": make_share(client, world, structure="ML28"),
        "read_only": make_share(client, world, permissions=["read"]),
        "append_only": make_share(client, world, permissions=["append"]),
    }
    client.delete(f"/api/v1/me/shares/{shares['ml_revoked']['id']}", headers=world.holder)
    referral = client.post(
        f"/api/v1/shared/{shares['any']['token']}/referrals",
        json={"to_structure": "CAP28", "needs": ["job_search"]},
        headers=world.advisor,
    ).get_json()
    return SimpleNamespace(world=world, shares=shares, referral=referral)


RECEPTION = {"date": "2026-05-20", "channel": "online", "needs": ["vae"]}
HTTP = [
    # caller, method, path, share, expected
    ("holder", "GET", "/api/v1/me/shares", None, 200),
    ("ml_key", "GET", "/api/v1/me/shares", None, 403),
    ("advisor", "GET", "/api/v1/me/access-log", None, 403),
    ("coordinator", "GET", "/api/v1/me/access-log", None, 403),
    ("other_holder", "DELETE", "/api/v1/me/shares/{share_id}", "any", 404),
    ("advisor", "DELETE", "/api/v1/me/shares/{share_id}", "any", 403),
    ("holder", "DELETE", "/api/v1/me/shares/{share_id}", "any", 204),
    ("advisor", "GET", "/api/v1/shared/{token}", "ml", 200),
    ("ml_key", "GET", "/api/v1/shared/{token}", "ml", 200),
    ("ml_admin", "GET", "/api/v1/shared/{token}", "ml", 200),
    ("cap_key", "GET", "/api/v1/shared/{token}", "ml", 403),
    ("cap_advisor", "GET", "/api/v1/shared/{token}", "ml", 403),
    ("ft_key", "POST", "/api/v1/shared/{token}/receptions", "ml", 403),
    ("advisor", "GET", "/api/v1/shared/{token}", "ml_revoked", 410),
    ("ml_key", "POST", "/api/v1/shared/{token}/receptions", "ml_revoked", 410),
    ("revoked_key", "GET", "/api/v1/shared/{token}", "ml", 401),
    ("holder", "GET", "/api/v1/shared/{token}", "any", 403),
    ("coordinator", "GET", "/api/v1/shared/{token}", "any", 403),
    ("admin", "GET", "/api/v1/shared/{token}", "any", 403),
    ("cap_key", "GET", "/api/v1/shared/{token}", "any", 200),
    ("ml_key", "GET", "/api/v1/shared/{token}", "append_only", 403),
    ("ml_key", "POST", "/api/v1/shared/{token}/receptions", "append_only", 201),
    ("ml_key", "POST", "/api/v1/shared/{token}/receptions", "read_only", 403),
    ("cap_key", "GET", "/api/v1/referrals", None, 200),
    ("holder", "GET", "/api/v1/referrals", None, 403),
    ("coordinator", "GET", "/api/v1/referrals", None, 403),
    ("revoked_key", "GET", "/api/v1/referrals", None, 401),
    ("cap_key", "PATCH", "/api/v1/referrals/{referral_id}", None, 200),
    ("cap_advisor", "PATCH", "/api/v1/referrals/{referral_id}", None, 200),
    ("ml_key", "PATCH", "/api/v1/referrals/{referral_id}", None, 403),
    ("ft_key", "PATCH", "/api/v1/referrals/{referral_id}", None, 403),
    ("holder", "PATCH", "/api/v1/referrals/{referral_id}", None, 403),
    ("coordinator", "PATCH", "/api/v1/referrals/{referral_id}", None, 403),
    ("ml_key", "POST", "/api/v1/receptions", None, 201),
    ("holder", "POST", "/api/v1/receptions", None, 403),
    ("coordinator", "POST", "/api/v1/receptions", None, 403),
    ("revoked_key", "POST", "/api/v1/receptions", None, 401),
    (None, "GET", "/api/v1/structures", None, 200),
    ("holder", "GET", "/api/v1/structures", None, 200),
]


@pytest.mark.parametrize(("caller", "method", "path", "share", "expected"), HTTP)
def test_http_matrix(client, web, caller, method, path, share, expected):
    headers = getattr(web.world, caller) if caller else {}
    chosen = web.shares[share] if share else {}
    url = path.format(
        share_id=chosen.get("id"), token=chosen.get("token"), referral_id=web.referral["id"]
    )
    body = None
    if method == "POST":
        body = RECEPTION
    elif method == "PATCH":
        body = {"status": "received"}
    r = client.open(url, method=method, json=body, headers=headers)
    assert r.status_code == expected, r.get_data(as_text=True)[:300]
