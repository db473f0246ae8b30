"""The communes of France (INSEE's official geography), loaded on first use.

The data ships in ``data/`` (built by ``scripts/build_communes.py`` from the npm package
``@etalab/decoupage-administratif``): every current commune with its postal codes,
department and EPCI. Nothing is read at import or start-up; the first lookup reads the
files once per process (about 35,000 rows, a few MB in memory).
"""

from __future__ import annotations

import csv
import gzip
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Commune:
    code: str  # INSEE code, e.g. "28134"
    name: str
    postal_codes: tuple[str, ...]
    department: str
    epci: str | None

    @property
    def label(self) -> str:
        """ "Dreux (28100)": what a person picks in a list."""
        postal = self.postal_codes[0] if self.postal_codes else self.department
        return f"{self.name} ({postal})"


def fold(text: str) -> str:
    """Lower case without accents, hyphens as spaces: "Châteaudun" ~ "chateaudun"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().replace("-", " ").replace("'", " ").split())


def _rows(name: str) -> list[dict[str, str]]:
    data = resources.files("passport.directory") / "data" / name
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        return list(csv.DictReader(text, delimiter=";"))


@cache
def _communes() -> dict[str, Commune]:
    return {
        row["code"]: Commune(
            code=row["code"],
            name=row["name"],
            postal_codes=tuple(row["postal_codes"].split()),
            department=row["department"],
            epci=row["epci"] or None,
        )
        for row in _rows("communes.csv.gz")
    }


@cache
def _epci_names() -> dict[str, str]:
    return {row["code"]: row["name"] for row in _rows("epci.csv.gz")}


@cache
def _department_names() -> dict[str, str]:
    return {row["code"]: row["name"] for row in _rows("departments.csv.gz")}


@cache
def _folded() -> list[tuple[str, Commune]]:
    return sorted(((fold(c.name), c) for c in _communes().values()), key=lambda p: p[0])


@cache
def communes_of(department: str) -> list[Commune]:
    """A department's communes by name (the finder's suggestions)."""
    return sorted(
        (c for c in _communes().values() if c.department == department), key=lambda c: fold(c.name)
    )


def commune(code: str | None) -> Commune | None:
    """The commune of an INSEE code, or None."""
    if not code:
        return None
    return _communes().get(code.strip().upper())


def is_department(code: str) -> bool:
    return code.upper() in _department_names()


def is_epci(code: str) -> bool:
    return code in _epci_names()


def department_name(code: str) -> str | None:
    return _department_names().get(code.upper())


def epci_name(code: str) -> str | None:
    return _epci_names().get(code)


def zone_code_kind(code: str) -> str | None:
    """ "commune", "epci", "department" or "france" for a zone code; None if unknown."""
    if code == "france":
        return "france"
    if len(code) == 9 and code.isdigit():
        return "epci" if is_epci(code) else None
    if len(code) == 5:
        return "commune" if commune(code) is not None else None
    return "department" if is_department(code) else None


def zone_label(code: str) -> str:
    """A zone code in words: "Dreux", "CA du Pays de Dreux", "Eure-et-Loir"."""
    kind = zone_code_kind(code)
    if kind == "commune":
        found = commune(code)
        return found.name if found else code
    if kind == "epci":
        return epci_name(code) or code
    if kind == "department":
        return department_name(code) or code
    if kind == "france":
        return "France"
    return code


def search(text: str, limit: int = 10) -> list[Commune]:
    """Communes whose name starts with (then contains) ``text``, or of a postal code.

    Bigger communes first among equals is not known here; exact name matches come first.
    """
    text = text.strip()
    if not text:
        return []
    if text.isdigit():
        found = sorted(
            (c for c in _communes().values() if any(p.startswith(text) for p in c.postal_codes)),
            key=lambda c: (c.postal_codes[0], c.name),
        )
        by_code = commune(text) if len(text) == 5 else None
        if by_code is not None and by_code not in found:
            found.append(by_code)
        return found[:limit]
    folded = fold(text)
    exact = [c for name, c in _folded() if name == folded]
    prefix = [c for name, c in _folded() if name.startswith(folded) and name != folded]
    inside = [c for name, c in _folded() if folded in name and not name.startswith(folded)]
    return (exact + prefix + inside)[:limit]
