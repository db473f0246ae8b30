"""GET/PATCH /api/v1/structures, /finder and /data-inclusion/... (API.md, Structures)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from data_inclusion.schema.v1 import Service as DIService
from data_inclusion.schema.v1 import Structure as DIStructure

from passport.extensions import db
from passport.passports.models import Need
from tests import factories
from tests.directory import world as w

SERVES = {  # by hand, from the zones in world.py
    w.DREUX: {"ML-T", "FT-T", "IJ-T", "CAP-T"},
    w.CHARTRES: {"FT-T", "CMA-T", "CAP-T"},
    w.NOGENT: {"FT-T", "CAP-T"},
}
NEEDS = {
    "ML-T": {"summer_job", "job_search", "training_search", "mobility", "housing_health"},
    "FT-T": {"job_search", "training_funding", "career_change", "business_creation"},
    "CMA-T": {"apprenticeship", "business_creation", "vae"},
    "IJ-T": {"orientation", "summer_job", "other"},
    "CAP-T": {"job_search", "training_search", "other"},
}


@pytest.fixture
def world(ctx):
    return w.build()


def codes(body) -> list[str]:
    return [e["code"] for e in body]


def test_an_entry_has_the_directory_fields(client, world):
    r = client.get("/api/v1/structures/ml-t")
    assert r.status_code == 200
    entry = r.get_json()
    for name in [
        "code",
        "name",
        "type",
        "department",
        "needs",
        "is_cep_operator",
        "address",
        "postal_code",
        "city",
        "commune",
        "phone",
        "email",
        "website",
        "opening_hours",
        "publics",
        "zone",
        "services",
        "updated_at",
    ]:
        assert name in entry
    assert entry["commune"] == w.DREUX
    assert entry["city"] == "Dreux" and entry["postal_code"] == "28100"  # from the commune
    assert entry["opening_hours_text"].startswith("lundi au vendredi, 9 h–12 h 30")
    assert entry["open_now"] in (True, False)
    assert entry["map_url"].startswith("https://www.openstreetmap.org/search?query=")
    assert entry["services"][0]["thematiques"]
    assert client.get("/api/v1/structures/NOPE").status_code == 404


def test_filters_need_department_commune_q_type(client, world):
    assert codes(client.get("/api/v1/structures?need=vae").get_json()) == ["CMA-T"]
    assert set(codes(client.get(f"/api/v1/structures?commune={w.NOGENT}").get_json())) == {
        "FT-T",
        "CAP-T",
    }
    assert set(codes(client.get(f"/api/v1/structures?commune={w.VERNOUILLET}").get_json())) == {
        "ML-T",
        "FT-T",
        "CAP-T",
    }
    assert codes(client.get("/api/v1/structures?q=métiers").get_json()) == ["CMA-T"]
    assert codes(client.get("/api/v1/structures?q=chartres").get_json()) == [
        "CAP-T",
        "CMA-T",
        "FT-T",
    ]  # the city
    assert codes(client.get("/api/v1/structures?type=IJ").get_json()) == ["IJ-T"]
    assert len(client.get("/api/v1/structures?department=28").get_json()) == 5
    assert client.get("/api/v1/structures?department=75").get_json() == []


@pytest.mark.parametrize(
    "query",
    ["need=flying", "commune=99999", "commune=abc", "department=xyz", "type=ZZ", "q=" + "a" * 201],
)
def test_bad_filters_are_422(client, world, query):
    r = client.get(f"/api/v1/structures?{query}")
    assert r.status_code == 422
    assert r.content_type == "application/problem+json"


def test_patch_by_the_structure_admin_moves_updated_at(client, world):
    admin = factories.staff("structure_admin", world.ml)
    world.ml.updated_at = datetime(2025, 1, 2, tzinfo=UTC)
    db.session.commit()
    r = client.patch(
        "/api/v1/structures/ML-T",
        json={
            "opening_hours": "Mo-Th 09:00-17:00",
            "phone": "02 37 00 00 00",
            "zone": ["28134", "28404", "28"],
            "age_min": 16,
            "age_max": 29,
            "publics": ["jeunes"],
            "situations": ["jobseeker", "student"],
            "website": None,
        },
        headers=factories.bearer(factories.token(admin)),
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["opening_hours"] == "Mo-Th 09:00-17:00"
    assert body["opening_hours_text"] == "lundi au jeudi, 9 h–17 h"
    assert body["zone"] == ["28134", "28404", "28"]
    assert body["updated_at"] > "2025-01-02T00:00:00Z"
    again = client.get("/api/v1/structures/ML-T").get_json()
    assert again["age_max"] == 29 and again["phone"] == "02 37 00 00 00"


def test_patch_by_an_admin_of_any_entry(client, world):
    admin = factories.staff("admin", None)
    r = client.patch(
        "/api/v1/structures/CMA-T",
        json={"name": "CMA Eure-et-Loir"},
        headers=factories.bearer(factories.token(admin)),
    )
    assert r.status_code == 200
    assert r.get_json()["name"] == "CMA Eure-et-Loir"


def test_patch_is_refused_to_anyone_else(client, world):
    other_admin = factories.staff("structure_admin", world.ft)
    advisor = factories.staff("advisor", world.ml)
    holder = factories.holder()
    for user in (other_admin, advisor, holder):
        r = client.patch(
            "/api/v1/structures/ML-T",
            json={"phone": "0102030405"},
            headers=factories.bearer(factories.token(user)),
        )
        assert r.status_code == 403
    key = factories.api_key(world.ml)
    r = client.patch(
        "/api/v1/structures/ML-T", json={"phone": "0102030405"}, headers=factories.bearer(key)
    )
    assert r.status_code == 403
    assert client.patch("/api/v1/structures/ML-T", json={}).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"opening_hours": "lundi de 9h à 12h"},
        {"commune": "99999"},
        {"zone": ["28", "nowhere"]},
        {"age_min": 30, "age_max": 20},
        {"age_min": -1},
        {"publics": ["martiens"]},
        {"publics": ["tous-publics", "jeunes"]},
        {"situations": ["astronaut"]},
        {"needs": ["flying"]},
        {"email": "not-an-email"},
        {"website": "ftp://example.org"},
        {"postal_code": "2810"},
        {"name": None},
        {"name": "x"},
        {"unknown_field": 1},
        {"phone": 123},
    ],
)
def test_patch_bad_values_are_422(client, world, body):
    admin = factories.staff("structure_admin", world.ml)
    r = client.patch(
        "/api/v1/structures/ML-T", json=body, headers=factories.bearer(factories.token(admin))
    )
    assert r.status_code == 422, body
    assert r.get_json()["errors"]


def test_finder_answers_with_reasons(client, world):
    r = client.get(f"/api/v1/finder?needs=training_search&commune={w.DREUX}&age=19")
    assert r.status_code == 200
    results = r.get_json()["results"]
    assert [x["structure"]["code"] for x in results] == ["ML-T", "CAP-T"]  # closer zone first
    first = results[0]
    assert first["covers"] == ["training_search"]
    assert "couvre : recherche de formation" in first["reasons"]
    assert "accueille les 16–25 ans" in first["reasons"]
    assert any("Dreux" in reason for reason in first["reasons"])


def test_finder_keeps_only_the_publics_that_fit(client, world):
    def found(query):
        body = client.get(f"/api/v1/finder?{query}").get_json()
        return {x["structure"]["code"] for x in body["results"]}

    assert "ML-T" not in found(f"needs=job_search&commune={w.DREUX}&age=40")
    assert "ML-T" in found(f"needs=job_search&commune={w.DREUX}&age=20")
    assert "FT-T" not in found(f"needs=job_search&commune={w.DREUX}&situation=employee")
    assert "FT-T" in found(f"needs=job_search&commune={w.DREUX}&situation=jobseeker")


@pytest.mark.parametrize(
    "query",
    [
        "needs=flying&commune=28134",
        "needs=vae&commune=99999",
        "needs=vae",
        "needs=vae&commune=28134&situation=astronaut",
        "needs=vae&commune=28134&age=abc",
        "needs=vae&commune=28134&age=500",
    ],
)
def test_finder_bad_queries_are_422(client, world, query):
    assert client.get(f"/api/v1/finder?{query}").status_code == 422


@pytest.mark.parametrize("commune", [w.DREUX, w.CHARTRES, w.NOGENT])
def test_finder_each_need_in_three_communes_of_department_28(client, world, commune):
    for need in Need:
        body = client.get(f"/api/v1/finder?needs={need.value}&commune={commune}").get_json()
        found = [x["structure"]["code"] for x in body["results"]]
        expected = {code for code in SERVES[commune] if need.value in NEEDS[code]}
        assert set(found) == expected, (need, commune)
        for result in body["results"]:
            assert result["covers"] == [need.value]
            assert result["reasons"][0].startswith("couvre : ")
            assert len(result["reasons"]) >= 2  # what it covers, and where it works


def test_data_inclusion_answers_validate_against_the_schema(client, world):
    structures = client.get("/api/v1/data-inclusion/structures").get_json()
    services = client.get("/api/v1/data-inclusion/services").get_json()
    assert len(structures) == 5 and len(services) == 5
    for record in structures:
        DIStructure.model_validate(record, context={"ignore_warnings": False})
        assert record["source"] == "passeport-spro"
    for record in services:
        DIService.model_validate(record, context={"ignore_warnings": False})
        assert record["source"] == "passeport-spro"
    ml = next(s for s in services if s["structure_id"] == "passeport-spro--ML-T")
    assert "se-former--trouver-sa-formation" in ml["thematiques"]
    assert ml["zone_eligibilite"] == ["200040277"]


def test_list_queries_do_not_grow_with_the_directory(client, ctx, count_queries):
    def fill(n):
        for i in range(n):
            s = factories.structure(f"Q{len(str(n))}-{i}")
            w.directory.add_service(s, title="Accueil", description="Un accueil simple.")
        db.session.commit()

    fill(10)
    with count_queries() as small:
        assert len(client.get("/api/v1/structures").get_json()) == 10
    fill(200)
    with count_queries() as big:
        assert len(client.get("/api/v1/structures").get_json()) == 210
    assert big.count == small.count
