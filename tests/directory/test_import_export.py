"""``flask directory import FILE`` / ``directory export`` in data·inclusion JSON."""

from __future__ import annotations

import json

import pytest
from data_inclusion.schema.v1 import Service as DIService
from data_inclusion.schema.v1 import Structure as DIStructure

from passport.directory import services as directory
from passport.directory.models import DirectoryService
from passport.extensions import db
from passport.structures.models import Structure
from tests.directory import world as w


def export(runner) -> dict:
    result = runner.invoke(args=["directory", "export"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def run_import(runner, tmp_path, data) -> object:
    path = tmp_path / "directory.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return runner.invoke(args=["directory", "import", str(path)])


def snapshot() -> list[tuple]:
    db.session.expire_all()
    rows = []
    for s in db.session.execute(db.select(Structure).order_by(Structure.code)).scalars():
        rows.append(
            (
                s.code,
                s.name,
                s.type,
                s.department,
                s.commune,
                s.city,
                s.postal_code,
                s.address,
                s.opening_hours,
                s.publics,
                s.zone,
                s.age_min,
                s.age_max,
                s.situations,
                s.needs,
                s.updated_at,
                tuple(
                    (x.id, x.title, x.description, x.needs, x.fees, x.updated_at)
                    for x in s.services
                ),
            )
        )
    return rows


def test_export_validates_and_reimport_changes_nothing(runner, ctx, tmp_path):
    w.build()
    data = export(runner)
    assert len(data["structures"]) == 5 and len(data["services"]) == 5
    for record in data["structures"]:
        DIStructure.model_validate(record)
    for record in data["services"]:
        DIService.model_validate(record)
    before = snapshot()
    result = run_import(runner, tmp_path, data)
    assert result.exit_code == 0, result.output
    assert "0 created, 0 updated, 10 unchanged" in result.output
    assert snapshot() == before
    assert export(runner) == data


def test_import_creates_then_updates_by_id(runner, ctx, tmp_path):
    data = {
        "structures": [
            {
                "source": "dora",
                "id": "dora--abc-123",
                "nom": "Point information jeunesse de Vernouillet",
                "date_maj": "2025-03-01",
                "code_insee": "28404",
                "commune": "Vernouillet",
                "code_postal": "28500",
                "adresse": "1 place de la Mairie",
                "horaires_accueil": "Mo-Fr 14:00-18:00",
                "reseaux_porteurs": ["reseau-information-jeunesse"],
            }
        ],
        "services": [
            {
                "source": "dora",
                "structure_id": "dora--abc-123",
                "id": "dora--svc-1",
                "nom": "Trouver un job d'été",
                "description": "Des offres de jobs d'été et un atelier CV chaque mercredi.",
                "date_maj": "2025-03-01",
                "thematiques": ["trouver-un-emploi--repondre-a-des-offres-demploi"],
                "publics": ["jeunes"],
                "zone_eligibilite": ["28404", "28134"],
                "frais": "gratuit",
            }
        ],
    }
    result = run_import(runner, tmp_path, data)
    assert result.exit_code == 0, result.output
    structure = db.session.execute(
        db.select(Structure).where(Structure.external_id == "dora--abc-123")
    ).scalar_one()
    assert (structure.type, structure.department, structure.zone) == (
        "IJ",
        "28",
        ["28404", "28134"],
    )
    assert structure.publics == ["jeunes"]
    assert structure.services[0].needs == ["summer_job"]
    # found by the finder for Dreux
    assert structure.code in {s.code for s in directory.search(directory.Filters(commune="28134"))}

    data["structures"][0]["horaires_accueil"] = "Mo-Sa 10:00-18:00"
    result = run_import(runner, tmp_path, data)
    assert "0 created, 1 updated, 1 unchanged" in result.output
    db.session.expire_all()
    assert db.session.get(Structure, structure.id).opening_hours == "Mo-Sa 10:00-18:00"
    assert db.session.execute(db.select(db.func.count(DirectoryService.id))).scalar_one() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["structures"][1].update(nom="X"), "structures[1].nom"),
        (
            lambda d: d["structures"][0].update(horaires_accueil="tous les jours"),
            "horaires_accueil",
        ),
        (lambda d: d["structures"][2].update(code_insee="99999"), "structures[2].code_insee"),
        (lambda d: d["services"][0].update(thematiques=["voler"]), "services[0].thematiques"),
        (lambda d: d["services"][3].update(structure_id="nowhere"), "services[3].structure_id"),
        (lambda d: d["structures"][0]["passeport_spro"].update(type="ZZ"), "passeport_spro.type"),
        (lambda d: d["structures"][0]["passeport_spro"].update(zone=["zz"]), "passeport_spro.zone"),
    ],
)
def test_a_bad_record_imports_nothing_and_says_where(runner, ctx, tmp_path, change, message):
    w.build()
    data = export(runner)
    for record in data["structures"]:
        record["nom"] = record["nom"] + " modifiée"  # every record would change...
    change(data)
    before = snapshot()
    result = run_import(runner, tmp_path, data)
    assert result.exit_code != 0
    assert message in result.output
    assert "Nothing imported" in result.output
    assert snapshot() == before  # ...but nothing did


def test_import_refuses_what_is_not_a_directory(runner, ctx, tmp_path):
    assert run_import(runner, tmp_path, "not json").exit_code != 0
    assert "structures" in run_import(runner, tmp_path, [1, 2]).output
