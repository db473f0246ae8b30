"""A small directory for the tests: a few entries of department 28 with zones and publics."""

from __future__ import annotations

from dataclasses import dataclass

from passport.directory import services as directory
from passport.extensions import db
from passport.structures.models import Structure
from tests import factories

DREUX, VERNOUILLET, CHARTRES, CHATEAUDUN, NOGENT = "28134", "28404", "28085", "28088", "28280"
AGGLO_DREUX = "200040277"  # CA du Pays de Dreux (Dreux, Vernouillet...)


@dataclass
class World:
    ml: Structure  # young people 16-25, the Dreux agglomeration
    ft: Structure  # jobseekers, the whole department
    cma: Structure  # crafts, Chartres only
    ij: Structure  # young people, Dreux only, no age bound above 30
    cap: Structure  # everyone, France


def entry(code, type_, name, zone, needs, *, services=(), **fields) -> Structure:
    structure = factories.structure(code, type_, name=name)
    directory.update_entry(structure, {"zone": zone, "needs": [], **fields})
    for title, service_needs in services or [(f"Accueil {name}", needs)]:
        directory.add_service(
            structure,
            title=title,
            description=f"{title} : un conseiller vous reçoit et vous oriente.",
            needs=list(service_needs),
            fees="gratuit",
        )
    db.session.commit()
    return structure


def build() -> World:
    ml = entry(
        "ML-T",
        "ML",
        "Mission locale test",
        [AGGLO_DREUX],
        ["summer_job", "job_search", "training_search", "mobility", "housing_health"],
        commune=DREUX,
        address="4 rue de Test",
        age_min=16,
        age_max=25,
        publics=["jeunes"],
        opening_hours="Mo-Fr 09:00-12:30,13:30-17:00; PH off",
    )
    ft = entry(
        "FT-T",
        "FT",
        "France Travail test",
        ["28"],
        ["job_search", "training_funding", "career_change", "business_creation"],
        commune=CHARTRES,
        situations=["jobseeker"],
        publics=["demandeurs-emploi"],
    )
    cma = entry(
        "CMA-T",
        "CMA",
        "Chambre de métiers test",
        [CHARTRES],
        ["apprenticeship", "business_creation", "vae"],
        commune=CHARTRES,
    )
    ij = entry(
        "IJ-T",
        "IJ",
        "Info jeunes test",
        [DREUX],
        ["orientation", "summer_job", "other"],
        commune=DREUX,
        age_max=30,
    )
    cap = entry(
        "CAP-T",
        "CAP",
        "Cap emploi test",
        ["france"],
        ["job_search", "training_search", "other"],
        commune=CHARTRES,
    )
    return World(ml=ml, ft=ft, cma=cma, ij=ij, cap=cap)
