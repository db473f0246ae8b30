""" "Trouver le bon interlocuteur": the entries that fit a person's needs, commune and publics.

An entry fits when its zone covers the commune, it covers at least one of the needs (when
needs are given), and its publics admit the person's age and situation (when given).
Each result says why it fits, in words a person reads. Ranking: more needs covered first,
then a closer zone (the commune itself, then its EPCI, its department, France), then
entries whose publics name the person's age or situation, then by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from passport.directory import territory
from passport.directory.services import Filters, all_needs, search
from passport.labels import NEEDS, SITUATIONS
from passport.structures.models import Structure

_ZONE_RANK = {"commune": 3, "epci": 2, "department": 1, "france": 0}


@dataclass
class Match:
    structure: Structure
    covers: list[str]
    reasons: list[str] = field(default_factory=list)
    score: tuple = ()


def _zone_match(structure: Structure, commune: territory.Commune) -> tuple[int, str]:
    zone = structure.zone or [structure.department]
    if commune.code in zone:
        return 3, _("intervient à %(commune)s", commune=commune.name)
    if commune.epci and commune.epci in zone:
        return 2, _(
            "intervient dans %(epci)s", epci=territory.epci_name(commune.epci) or commune.epci
        )
    if commune.department in zone:
        name = territory.department_name(commune.department) or commune.department
        return 1, _("intervient dans tout le département (%(department)s)", department=name)
    return 0, _("intervient dans toute la France")


def _age_fits(structure: Structure, age: int | None) -> bool:
    if age is None:
        return True
    if structure.age_min is not None and age < structure.age_min:
        return False
    return not (structure.age_max is not None and age > structure.age_max)


def _age_reason(structure: Structure) -> str | None:
    low, high = structure.age_min, structure.age_max
    if low is not None and high is not None:
        return _("accueille les %(low)d–%(high)d ans", low=low, high=high)
    if low is not None:
        return _("accueille à partir de %(low)d ans", low=low)
    if high is not None:
        return _("accueille jusqu'à %(high)d ans", high=high)
    return None


def find(
    needs: list[str],
    commune_code: str,
    age: int | None = None,
    situation: str | None = None,
) -> list[Match]:
    """Fitting entries, best first (two queries whatever the directory's size)."""
    commune = territory.commune(commune_code)
    if commune is None:
        return []
    matches: list[Match] = []
    for structure in search(Filters(commune=commune.code)):
        covered = all_needs(structure)
        covers = [n for n in needs if n in covered]
        if needs and not covers:
            continue
        if not _age_fits(structure, age):
            continue
        if situation and structure.situations and situation not in structure.situations:
            continue
        zone_rank, zone_reason = _zone_match(structure, commune)
        reasons = []
        if covers:
            labels = ", ".join(str(NEEDS[n]).lower() for n in covers)
            reasons.append(_("couvre : %(needs)s", needs=labels))
        reasons.append(zone_reason)
        if structure.commune == commune.code:
            reasons.append(_("accueille à %(commune)s", commune=commune.name))
        publics_rank = 0
        if age_reason := _age_reason(structure):
            reasons.append(age_reason)
            publics_rank += int(age is not None)
        if situation and structure.situations:
            reasons.append(
                _("accueille : %(situation)s", situation=str(SITUATIONS[situation]).lower())
            )
            publics_rank += 1
        score = (
            -len(covers),
            -zone_rank,
            -int(structure.commune == commune.code),
            -publics_rank,
            structure.name,
        )
        matches.append(Match(structure, covers, reasons, score))
    return sorted(matches, key=lambda m: m.score)
