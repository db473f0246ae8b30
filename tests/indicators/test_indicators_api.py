"""GET /api/v1/indicators: protected aggregates for coordinators, in JSON and CSV."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from passport.extensions import db
from passport.indicators import queries
from passport.indicators.periods import Question
from passport.passports.services import passport_of
from passport.records import services as records
from tests import factories
from tests.indicators import world

DAY = date(2026, 5, 20)


@pytest.fixture
def coordinator(ctx):
    return factories.bearer(factories.token(factories.staff("coordinator", None)))


@pytest.fixture
def network(ctx):
    ml, cio, cap, cio45 = world.network()
    # 12 summer jobs (anonymous) at the ML, 3 VAE at the CIO: VAE stays hidden.
    for _ in range(12):
        world.reception(ml, DAY, "in_person", ["summer_job"], situation="student")
    for _ in range(3):
        world.reception(cio, DAY, "phone", ["vae"], anonymous=False)
    world.reception(cap, date(2026, 6, 2), "online", ["mobility"])
    # 7 referrals ML -> CIO, received 2 days later.
    for _ in range(7):
        world.referral(ml, cio, DAY, status="received", received_after=2)
    for _ in range(5):
        world.referral(cap, cio45, DAY, status="declined", reason="no_capacity")
    world.settle()
    return ml, cio, cap, cio45


def get(client, headers, query=""):
    r = client.get(f"/api/v1/indicators?{query}", headers=headers)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def test_the_answer_has_every_field_of_the_contract(client, coordinator, network):
    body = get(client, coordinator, "from=2026-01-01&to=2026-12-31")
    assert (body["from"], body["to"]) == ("2026-01-01", "2026-12-31")
    receptions = body["receptions"]
    assert receptions["total"] == 15  # 16, rounded down to 5
    assert receptions["anonymous"] == 10  # 13
    assert receptions["by_need"]["summer_job"] == 10
    assert receptions["by_need"]["vae"] is None
    assert receptions["by_need"]["mobility"] is None
    assert receptions["by_channel"] == {"in_person": 10, "phone": None, "online": None}
    assert receptions["by_situation"]["student"] == 10
    assert receptions["by_structure_type"]["ML"] == 10
    assert receptions["by_cep_operator"] == {"cep": 10, "other": None}
    referrals = body["referrals"]
    assert referrals["total"] == 10
    assert referrals["by_status"] == {
        "sent": None, "received": 5, "appointment": None, "completed": None, "declined": 5,
    }  # fmt: skip
    assert referrals["by_reason"] == {
        "not_eligible": None, "no_capacity": 5, "unreachable": None, "declined_by_person": None,
        "wrong_structure": None, "duplicate": None, "other": None,
    }  # fmt: skip
    assert (referrals["completion_rate"], referrals["decline_rate"]) == (None, 50)
    # both senders are CEP operators: the others have nothing to show
    assert referrals["by_cep_operator"]["cep"] == {
        "total": 10,
        "waiting": 5,
        "by_status": {
            "sent": None, "received": 5, "appointment": None, "completed": None, "declined": 5,
        },
        "completion_rate": None,
        "decline_rate": 50,
        "median_days_to_received": 2.0,
        "median_days_to_appointment": None,
    }  # fmt: skip
    other = referrals["by_cep_operator"]["other"]
    assert other["total"] is None and other["median_days_to_received"] is None
    assert referrals["median_days_to_received"] == 2.0
    assert referrals["median_days_to_appointment"] is None
    assert referrals["routes"] == [
        {"from_type": "CAP", "to_type": "CIO", "count": 5, "completed": None, "declined": 5},
        {"from_type": "ML", "to_type": "CIO", "count": 5, "completed": None, "declined": None},
    ]


def test_periods_are_whole_months(client, coordinator, network):
    body = get(client, coordinator, "from=2026-05-19&to=2026-05-21")
    assert (body["from"], body["to"]) == ("2026-05-01", "2026-05-31")
    assert body == get(client, coordinator, "from=2026-05&to=2026-05")
    assert [m["month"] for m in body["receptions"]["by_month"]] == ["2026-05"]
    assert body["receptions"]["by_month"][0]["total"] == 15
    june = get(client, coordinator, "from=2026-06&to=2026-06")
    assert june["receptions"]["total"] is None
    assert june["referrals"]["total"] is None


def test_department_and_structure_type_filters(client, coordinator, network):
    dep45 = get(client, coordinator, "from=2026-01&to=2026-12&department=45")
    assert dep45["department"] == "45"
    assert dep45["receptions"]["total"] is None
    assert dep45["referrals"]["total"] == 5
    assert dep45["referrals"]["by_status"]["declined"] == 5
    ml = get(client, coordinator, "from=2026-01&to=2026-12&structure_type=ml")
    assert ml["structure_type"] == "ML"
    assert ml["receptions"]["total"] == 10
    assert ml["referrals"]["routes"][0]["from_type"] == "ML"


def test_the_same_answer_as_csv(client, coordinator, network):
    r = client.get(
        "/api/v1/indicators?from=2026-01&to=2026-12",
        headers={**coordinator, "Accept": "text/csv"},
    )
    assert r.status_code == 200
    assert r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    by = {(row["section"], row["indicator"], row["key"]): row["value"] for row in rows}
    assert by[("question", "from", "")] == "2026-01-01"
    assert by[("receptions", "total", "")] == "15"
    assert by[("receptions", "by_need", "vae")] == ""
    assert by[("referrals", "routes_declined", "CAP>CIO")] == "5"
    assert by[("receptions", "by_month_by_need", "2026-05:summer_job")] == "10"
    assert by[("referrals", "by_reason", "no_capacity")] == "5"
    assert by[("referrals", "by_cep_operator.total", "cep")] == "10"
    assert by[("referrals", "by_cep_operator.by_status", "cep:declined")] == "5"
    assert by[("referrals", "by_cep_operator.decline_rate", "cep")] == "50"
    assert by[("referrals", "by_cep_operator.median_days_to_received", "other")] == ""


@pytest.mark.parametrize(
    "query",
    [
        "from=yesterday",
        "to=2026-13-01",
        "from=2026-12-31&to=2026-01-01",
        "from=2000-01-01&to=2026-01-01",
        "department=Eure-et-Loir",
        "structure_type=BANK",
    ],
)
def test_bad_filters_are_422(client, coordinator, query):
    r = client.get(f"/api/v1/indicators?{query}", headers=coordinator)
    assert r.status_code == 422
    assert r.mimetype == "application/problem+json"
    assert r.get_json()["errors"]


def test_only_coordinators_and_admins(client, ctx):
    structure = factories.structure("ML-Z")
    assert client.get("/api/v1/indicators").status_code == 401
    for user in (
        factories.holder(),
        factories.staff("advisor", structure),
        factories.staff("structure_admin", structure),
    ):
        headers = factories.bearer(factories.token(user))
        assert client.get("/api/v1/indicators", headers=headers).status_code == 403
    key = factories.bearer(factories.api_key(structure))
    assert client.get("/api/v1/indicators", headers=key).status_code == 403
    admin = factories.bearer(factories.token(factories.staff("admin", None)))
    assert client.get("/api/v1/indicators", headers=admin).status_code == 200


def test_a_withdrawal_leaves_the_figures_and_the_check_stays_clean(
    client, coordinator, ctx, runner
):
    """Ten receptions through the records path; one withdrawn, one rectified: the published
    figures follow (10 -> 9, shown 5), and ``flask indicators check`` finds nothing."""
    ml = world.network()[0]
    passport = passport_of(factories.holder()).id
    written = [
        records.record_reception(ml, passport, date=DAY, channel="in_person", needs=["vae"])
        for _ in range(10)
    ]
    db.session.commit()
    month = "from=2026-05&to=2026-05"
    receptions = get(client, coordinator, month)["receptions"]
    assert receptions["total"] == 10 and receptions["by_need"]["vae"] == 10
    records.correct_record(ml, written[0], action="withdraw", reason="Doublon")
    records.correct_record(
        ml, written[1], action="rectify", reason="Par téléphone", changes={"channel": "phone"}
    )
    db.session.commit()
    receptions = get(client, coordinator, month)["receptions"]
    assert receptions["total"] == 5  # 9
    assert receptions["by_need"]["vae"] == 5
    assert receptions["by_channel"] == {"in_person": 5, "phone": None, "online": None}  # 8, 1
    margins = queries.receptions(Question(date(2026, 5, 1), date(2026, 5, 31))).margins
    by_channel = {key[1]: n for key, n in margins.items() if key[0] == "channel" and n}
    assert by_channel == {"in_person": 8, "phone": 1}
    result = runner.invoke(args=["indicators", "check", "--from", "2026-05", "--to", "2026-05"])
    assert result.exit_code == 0, result.output
    assert "match the records" in result.output
