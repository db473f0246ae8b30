"""GET /api/v1/indicators: aggregates for coordinators, with no count under 5."""

from __future__ import annotations

from datetime import date

import pytest

from passport.extensions import db
from passport.passports import services as passports
from passport.records import services as records
from tests import factories

DAY = date(2026, 5, 20)


@pytest.fixture
def coordinator(ctx):
    return factories.bearer(factories.token(factories.staff("coordinator", None)))


@pytest.fixture
def network(ctx):
    ml = factories.structure("ML-K", type_="ML")
    cio = factories.structure("CIO-K", type_="CIO")
    # 6 summer jobs (anonymous), 3 VAE: the VAE count must stay hidden.
    for _ in range(6):
        records.record_reception(ml, None, date=DAY, channel="in_person", needs=["summer_job"])
    for _ in range(3):
        records.record_reception(cio, None, date=DAY, channel="phone", needs=["vae"])
    # 5 referrals ML -> CIO, received the same day.
    for i in range(5):
        passport = passports.passport_of(factories.holder(f"p{i}@example.org"))
        referral = records.send_referral(ml, passport.id, cio, needs=["orientation"])
        records.change_referral_status(referral, cio, "received")
    db.session.commit()
    return ml, cio


def test_barometer_and_partnerships(client, coordinator, network):
    r = client.get("/api/v1/indicators?from=2026-01-01&to=2026-12-31", headers=coordinator)
    assert r.status_code == 200
    body = r.get_json()
    assert body["k_anonymity"] == 5
    receptions = body["receptions"]
    assert receptions["total"] == 9
    assert receptions["anonymous"] == 9
    assert receptions["by_need"]["summer_job"] == 6
    assert receptions["by_need"]["vae"] is None  # 3 < 5: not shown
    assert receptions["by_need"]["mobility"] == 0
    assert receptions["by_channel"] == {"in_person": 6, "phone": None, "online": 0}
    assert receptions["by_structure_type"]["ML"] == 6
    referrals = body["referrals"]
    assert referrals["by_status"]["received"] == 5
    assert referrals["median_days_to_received"] is not None
    assert referrals["median_days_to_appointment"] is None
    assert referrals["routes"] == [{"from_type": "ML", "to_type": "CIO", "count": 5}]


def test_the_period_filters_receptions(client, coordinator, network):
    body = client.get(
        "/api/v1/indicators?from=2025-01-01&to=2025-12-31", headers=coordinator
    ).get_json()
    assert body["receptions"]["total"] == 0


@pytest.mark.parametrize(
    "query",
    [
        "from=yesterday",
        "to=2026-13-01",
        "from=2026-12-31&to=2026-01-01",
        "from=2000-01-01&to=2026-01-01",
    ],
)
def test_bad_periods_are_422(client, coordinator, query):
    r = client.get(f"/api/v1/indicators?{query}", headers=coordinator)
    assert r.status_code == 422
    assert r.mimetype == "application/problem+json"


def test_only_coordinators_and_admins(client, ctx):
    structure = factories.structure("ML-Z")
    assert client.get("/api/v1/indicators").status_code == 401
    for user in (factories.holder(), factories.staff("advisor", structure)):
        assert (
            client.get(
                "/api/v1/indicators", headers=factories.bearer(factories.token(user))
            ).status_code
            == 403
        )
    key = factories.bearer(factories.api_key(structure))
    assert client.get("/api/v1/indicators", headers=key).status_code == 403
    admin = factories.bearer(factories.token(factories.staff("admin", None)))
    assert client.get("/api/v1/indicators", headers=admin).status_code == 200
