"""The demo network shows a useful directory and finder, valid data·inclusion."""

from __future__ import annotations

from data_inclusion.schema.v1 import Service as DIService
from data_inclusion.schema.v1 import Structure as DIStructure

from passport.passports.models import Need


def test_demo_directory_and_finder(runner, client, ctx):
    assert runner.invoke(args=["demo"]).exit_code == 0
    entry = client.get("/api/v1/structures/ML-DREUX").get_json()
    assert entry["address"] and entry["opening_hours_text"] and entry["services"]
    for commune in ("28134", "28404", "28085"):  # Dreux, Vernouillet, Chartres
        for need in Need:
            results = client.get(f"/api/v1/finder?needs={need.value}&commune={commune}")
            assert results.status_code == 200
    dreux = client.get("/api/v1/finder?needs=training_search&commune=28134").get_json()
    codes = [r["structure"]["code"] for r in dreux["results"]]
    assert "ML-DREUX" in codes and "CARIF-CVL" in codes
    for record in client.get("/api/v1/data-inclusion/structures").get_json():
        DIStructure.model_validate(record, context={"ignore_warnings": False})
    for record in client.get("/api/v1/data-inclusion/services").get_json():
        DIService.model_validate(record, context={"ignore_warnings": False})
