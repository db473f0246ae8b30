"""Rebuild passport/directory/data/communes.csv.gz from the official geography.

Source: the npm package ``@etalab/decoupage-administratif`` (INSEE's Code officiel
géographique and the DGCL's EPCI, Licence Ouverte 2.0), e.g.::

    cd "$(mktemp -d)" && npm pack @etalab/decoupage-administratif && tar xzf etalab-*.tgz
    python scripts/build_communes.py "$PWD/package/data"

Output: one gzip CSV for the whole of France (current communes and the municipal
arrondissements of Paris, Lyon and Marseille), columns
``code;name;postal_codes;department;epci`` (postal codes space-separated), and a second
one, ``epci.csv.gz``, ``code;name``. Departments' names are in ``departments.csv.gz``.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "passport" / "directory" / "data"
KEPT_TYPES = {"commune-actuelle", "arrondissement-municipal"}


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    # mtime=0: the same input gives the same bytes (reviewable, reproducible)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(buffer.getvalue().encode("utf-8"))


def build(source: Path) -> None:
    communes = json.loads((source / "communes.json").read_text("utf-8"))
    epcis = json.loads((source / "epci.json").read_text("utf-8"))
    departments = json.loads((source / "departements.json").read_text("utf-8"))
    epci_of: dict[str, str] = {}
    for epci in epcis:
        for member in epci.get("membres", []):
            epci_of[member["code"]] = epci["code"]
    rows = []
    for commune in communes:
        if commune.get("type") not in KEPT_TYPES or not commune.get("departement"):
            continue
        code = commune["code"]
        epci = epci_of.get(code) or epci_of.get(commune.get("commune", ""), "")
        rows.append(
            [
                code,
                commune["nom"],
                " ".join(sorted(set(commune.get("codesPostaux", [])))),
                commune["departement"],
                epci,
            ]
        )
    rows.sort()
    OUT.mkdir(parents=True, exist_ok=True)
    _write(OUT / "communes.csv.gz", ["code", "name", "postal_codes", "department", "epci"], rows)
    _write(OUT / "epci.csv.gz", ["code", "name"], sorted([e["code"], e["nom"]] for e in epcis))
    _write(
        OUT / "departments.csv.gz",
        ["code", "name"],
        sorted([d["code"], d["nom"]] for d in departments),
    )
    print(f"{len(rows)} communes, {len(epcis)} EPCI, {len(departments)} departments -> {OUT}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: build_communes.py PATH/TO/decoupage-administratif/data")
    build(Path(sys.argv[1]))
