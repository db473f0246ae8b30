"""The referral workflow (fiche navette) seen by the receiving structure: /api/v1/referrals."""

from __future__ import annotations

import pytest

from tests.referrals import body_for
from tests.sharing.world import build_world, make_share


@pytest.fixture
def world(app):
    return build_world(app)


def _refer(client, world, to="CAP28", needs=("job_search",), headers=None) -> dict:
    share = make_share(client, world)
    r = client.post(
        f"/api/v1/shared/{share['token']}/referrals",
        json={"to_structure": to, "needs": list(needs), "message": "Bonjour"},
        headers=headers or world.advisor,
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_referral_is_signed_and_sent(client, world):
    referral = _refer(client, world)
    assert referral["status"] == "sent"
    assert referral["from_structure"] == "ML28"
    assert referral["issuer"] == {"structure": "ML28", "advisor": "Camille Roux"}
    assert referral["signature"].count(".") == 2


def test_list_is_for_the_receiving_structure_only(client, world):
    referral = _refer(client, world)
    for headers in (world.cap_key, world.cap_advisor):
        listed = client.get("/api/v1/referrals", headers=headers).get_json()
        assert [x["id"] for x in listed] == [referral["id"]]
    # The sender and a third structure do not receive it.
    assert client.get("/api/v1/referrals", headers=world.ml_key).get_json() == []
    assert client.get("/api/v1/referrals", headers=world.ft_key).get_json() == []


@pytest.mark.parametrize("who", ["holder", "coordinator", "admin"])
def test_list_refused_to_non_structures(client, world, who):
    assert client.get("/api/v1/referrals", headers=getattr(world, who)).status_code == 403


def test_list_needs_valid_credentials(client, world):
    assert client.get("/api/v1/referrals").status_code == 401
    assert client.get("/api/v1/referrals", headers=world.revoked_key).status_code == 401


def test_list_filters_and_paginates(client, world):
    ids = [_refer(client, world)["id"] for _ in range(3)]
    client.patch(f"/api/v1/referrals/{ids[0]}", json={"status": "received"}, headers=world.cap_key)
    sent = client.get("/api/v1/referrals?status=sent", headers=world.cap_key).get_json()
    assert sorted(x["id"] for x in sent) == sorted(ids[1:])
    received = client.get("/api/v1/referrals?status=received", headers=world.cap_key).get_json()
    assert [x["id"] for x in received] == [ids[0]]
    r = client.get("/api/v1/referrals?per_page=2", headers=world.cap_key)
    assert len(r.get_json()) == 2 and r.headers["X-Total-Count"] == "3"
    assert 'rel="next"' in r.headers["Link"]
    r = client.get("/api/v1/referrals?per_page=2&page=2", headers=world.cap_key)
    assert len(r.get_json()) == 1
    everything = client.get("/api/v1/referrals", headers=world.cap_key).get_json()
    assert [x["id"] for x in everything] == sorted(ids, reverse=True)


@pytest.mark.parametrize("query", ["status=lost", "status=", "page=0", "per_page=x", "page=-3"])
def test_list_refuses_bad_queries(client, world, query):
    r = client.get(f"/api/v1/referrals?{query}", headers=world.cap_key)
    assert r.status_code in (200, 422)
    if query != "status=":
        assert r.status_code == 422 and r.mimetype == "application/problem+json"


def test_list_in_a_fixed_number_of_queries(client, world, count_queries):
    for _ in range(2):
        _refer(client, world)
    with count_queries() as few:
        client.get("/api/v1/referrals", headers=world.cap_key)
    for _ in range(4):
        referral = _refer(client, world)
        client.patch(
            f"/api/v1/referrals/{referral['id']}",
            json={"status": "received"},
            headers=world.cap_key,
        )
    with count_queries() as many:
        r = client.get("/api/v1/referrals", headers=world.cap_key)
    assert len(r.get_json()) == 6
    assert many.count == few.count


@pytest.mark.parametrize(
    ("steps", "final"),
    [
        (["received", "appointment", "completed"], "completed"),
        (["declined"], "declined"),
        (["received", "declined"], "declined"),
    ],
)
def test_allowed_transitions(client, world, steps, final):
    referral = _refer(client, world)
    for status in steps:
        r = client.patch(
            f"/api/v1/referrals/{referral['id']}",
            json={**body_for(status), "note": f"étape {status}"},
            headers=world.cap_advisor,
        )
        assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == final
    assert body["history"][-1]["note"] == f"étape {final}"
    assert body["history"][-1]["issuer"] == {"structure": "CAP28", "advisor": "Sami Haddad"}
    assert body["history"][-1]["signature"]


@pytest.mark.parametrize(
    ("steps", "forbidden"),
    [
        ([], "appointment"),
        ([], "completed"),
        (["received"], "received"),
        (["received", "appointment"], "declined"),
        (["declined"], "received"),
        (["received", "appointment", "completed"], "declined"),
    ],
)
def test_forbidden_transitions_are_409(client, world, steps, forbidden):
    referral = _refer(client, world)
    for status in steps:
        client.patch(
            f"/api/v1/referrals/{referral['id']}", json=body_for(status), headers=world.cap_key
        )
    r = client.patch(
        f"/api/v1/referrals/{referral['id']}", json={"status": forbidden}, headers=world.cap_key
    )
    assert r.status_code == 409
    assert r.mimetype == "application/problem+json"


def test_only_the_receiving_structure_changes_status(client, world):
    referral = _refer(client, world)
    url = f"/api/v1/referrals/{referral['id']}"
    for headers in (world.ml_key, world.advisor, world.ft_key):
        assert client.patch(url, json={"status": "received"}, headers=headers).status_code == 403
    for headers in (world.holder, world.coordinator):
        assert client.patch(url, json={"status": "received"}, headers=headers).status_code == 403
    assert (
        client.patch(url, json={"status": "received"}, headers=world.revoked_key).status_code == 401
    )
    assert client.patch(url, json={"status": "received"}, headers=world.cap_key).status_code == 200


@pytest.mark.parametrize("referral_id", ["999999", str(2**31), str(10**40)])
def test_unknown_referral_is_404(client, world, referral_id):
    r = client.patch(
        f"/api/v1/referrals/{referral_id}", json={"status": "received"}, headers=world.cap_key
    )
    assert r.status_code == 404


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b'{"status": "lost"}',
        b'{"status": 3}',
        b'{"status": "received", "note": 5}',
        b'{"status": "received", "extra": 1}',
        b"{}",
        b"[]",
        ('{"status": "received", "note": "' + "x" * 6000 + '"}').encode(),
    ],
)
def test_patch_refuses_bad_bodies(client, world, raw):
    referral = _refer(client, world)
    r = client.patch(
        f"/api/v1/referrals/{referral['id']}",
        data=raw,
        headers={**world.cap_key, "Content-Type": "application/json"},
    )
    assert r.status_code in (400, 422)


def test_sender_sees_the_status(client, world):
    referral = _refer(client, world)
    client.patch(
        f"/api/v1/referrals/{referral['id']}", json={"status": "received"}, headers=world.cap_key
    )
    passport = client.get("/api/v1/me/passport", headers=world.holder).get_json()
    assert passport["referrals"][0]["status"] == "received"
