"""Demo data: the SPRO network of Dreux (Eure-et-Loir, 28), advisors and three holders.

The structures are those of the founding minutes (SPRO Dreux, 20 May 2016): CMA 28,
GIP Alfa Centre, CIO, BIJ, Cap emploi, Mission locale, France Travail (then Pôle emploi),
M2ED, with Transitions Pro (then Fongecif) and Apec.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from passport.accounts import services as accounts
from passport.accounts.models import Role
from passport.db import LOCAL_TZ
from passport.directory.demo import load_directory
from passport.passports import services as passports
from passport.records import services as records
from passport.sharing import services as sharing
from passport.structures import services as structures

STRUCTURES = [
    # code, name, type, city, needs
    (
        "ML-DREUX",
        "Mission locale de Dreux",
        "ML",
        "Dreux",
        [
            "job_search",
            "training_search",
            "orientation",
            "apprenticeship",
            "mobility",
            "housing_health",
            "summer_job",
        ],
    ),
    (
        "FT-DREUX",
        "France Travail Dreux",
        "FT",
        "Dreux",
        ["job_search", "training_search", "training_funding", "career_change", "business_creation"],
    ),
    (
        "CAP-28",
        "Cap emploi Eure-et-Loir",
        "CAP",
        "Chartres",
        ["job_search", "training_search", "career_change"],
    ),
    (
        "APEC-CVL",
        "Apec Centre-Val de Loire",
        "APEC",
        "Orléans",
        ["job_search", "career_change", "orientation"],
    ),
    (
        "CEP-CVL",
        "Groupement évolution (CEP Centre-Val de Loire)",
        "CEP",
        "Chartres",
        ["career_change", "training_funding", "vae", "orientation"],
    ),
    (
        "CIO-DREUX",
        "Centre d'information et d'orientation de Dreux",
        "CIO",
        "Dreux",
        ["orientation", "training_search"],
    ),
    (
        "BIJ-DREUX",
        "Bureau Information Jeunesse de Dreux",
        "IJ",
        "Dreux",
        ["summer_job", "orientation", "mobility", "housing_health"],
    ),
    (
        "TP-CVL",
        "Transitions Pro Centre-Val de Loire",
        "TP",
        "Orléans",
        ["training_funding", "career_change"],
    ),
    (
        "CMA-28",
        "Chambre de métiers et de l'artisanat d'Eure-et-Loir (CAD)",
        "CMA",
        "Chartres",
        ["apprenticeship", "business_creation", "training_search"],
    ),
    ("VAE-28", "Point relais conseil VAE d'Eure-et-Loir", "VAE", "Chartres", ["vae"]),
    (
        "M2ED",
        "Maison de l'emploi et des entreprises du Drouais (M2ED)",
        "MDE",
        "Dreux",
        ["job_search", "summer_job", "business_creation", "mobility"],
    ),
    (
        "CARIF-CVL",
        "GIP Alfa Centre-Val de Loire (Carif-Oref)",
        "CARIF",
        "Orléans",
        ["training_search", "training_funding"],
    ),
]

STAFF: list[tuple[str, str, Role, str | None]] = [
    # email, name, role, structure
    ("camille.roux@ml-dreux.demo", "Camille Roux", Role.ADVISOR, "ML-DREUX"),
    ("julien.petit@francetravail-dreux.demo", "Julien Petit", Role.ADVISOR, "FT-DREUX"),
    ("nadia.haddad@bij-dreux.demo", "Nadia Haddad", Role.ADVISOR, "BIJ-DREUX"),
    ("marc.lemoine@cep-cvl.demo", "Marc Lemoine", Role.ADVISOR, "CEP-CVL"),
    ("ines.garnier@cma28.demo", "Inès Garnier", Role.ADVISOR, "CMA-28"),
    ("referent@ml-dreux.demo", "Hélène Dubois", Role.STRUCTURE_ADMIN, "ML-DREUX"),
    ("coordination@spro-dreux.demo", "Paul Moreau", Role.COORDINATOR, None),
    ("admin@spro-dreux.demo", "Administration SPRO", Role.ADMIN, None),
]


def load_demo(password: str) -> list[tuple[str, str]]:
    """Create the demo network once; returns the accounts created (empty if present)."""
    if structures.get_structure("ML-DREUX") is not None:
        return []
    by_code = {}
    for code, name, type_, city, needs in STRUCTURES:
        by_code[code] = structures.add_structure(code, name, type_, "28", city=city, needs=needs)
    load_directory(by_code)
    created = []
    staff = {}
    for email, name, role, structure_code in STAFF:
        structure = by_code[structure_code] if structure_code else None
        staff[email] = accounts.create_user(email, password, name, role.value, structure)
        created.append((email, role.value))

    today = date.today()
    ml, ft, bij, cep, cma = (
        by_code[c] for c in ("ML-DREUX", "FT-DREUX", "BIJ-DREUX", "CEP-CVL", "CMA-28")
    )
    camille = staff["camille.roux@ml-dreux.demo"]
    julien = staff["julien.petit@francetravail-dreux.demo"]
    nadia = staff["nadia.haddad@bij-dreux.demo"]
    marc = staff["marc.lemoine@cep-cvl.demo"]
    ines = staff["ines.garnier@cma28.demo"]

    # Léa, 19, looking for a summer job, then an apprenticeship.
    lea = accounts.register_individual("lea.martin@exemple.demo", password, "Léa Martin")
    lea_pp = passports.passport_of(lea)
    passports.update_profile(
        lea_pp,
        birth_year=today.year - 19,
        department="28",
        situation="student",
        qualification_level=4,
    )
    records.declare_training(
        lea_pp,
        title="BAFA (formation générale)",
        provider="Ligue de l'enseignement 28",
        status="completed",
        start_date=today - timedelta(days=300),
        end_date=today - timedelta(days=292),
        hours=Decimal("64"),
    )
    records.record_reception(
        bij,
        lea_pp.id,
        date=today - timedelta(days=60),
        channel="in_person",
        needs=["summer_job", "apprenticeship"],
        situation="student",
        outcome="referred",
        advisor=nadia,
        summary="Cherche un job d'été puis un contrat d'apprentissage en boulangerie.",
    )
    referral = records.send_referral(
        bij,
        lea_pp.id,
        cma,
        needs=["apprenticeship"],
        advisor=nadia,
        message="Léa souhaite un CAP boulanger en apprentissage à la rentrée.",
    )
    records.change_referral_status(referral, cma, "received", advisor=ines)
    visit = datetime.combine(today + timedelta(days=8), time(14, 30), tzinfo=LOCAL_TZ)
    records.change_referral_status(
        referral,
        cma,
        "appointment",
        advisor=ines,
        note="Apporter un CV.",
        appointment=records.Appointment(
            at=visit.astimezone(UTC),
            place="CMA Eure-et-Loir, 24 rue des Artisans, Dreux",
            contact="Inès, 02 37 00 00 00",
        ),
    )
    records.declare_cpf(lea_pp, today - timedelta(days=20), Decimal("0"))

    # Karim, 34, jobseeker, funding a building maintenance qualification.
    karim = accounts.register_individual("karim.benali@exemple.demo", password, "Karim Benali")
    karim_pp = passports.passport_of(karim)
    passports.update_profile(
        karim_pp,
        birth_year=today.year - 34,
        department="28",
        situation="jobseeker",
        qualification_level=3,
    )
    records.record_reception(
        ft,
        karim_pp.id,
        date=today - timedelta(days=120),
        channel="in_person",
        needs=["training_search", "training_funding"],
        situation="jobseeker",
        outcome="follow_up",
        advisor=julien,
        summary="Projet : agent de maintenance des bâtiments. Vérifier le financement.",
    )
    records.declare_cpf(karim_pp, today - timedelta(days=118), Decimal("1840.00"))
    records.attest_training(
        ft,
        karim_pp.id,
        advisor=julien,
        title="Titre professionnel Agent de maintenance des bâtiments",
        provider="AFPA Chartres",
        certification_code="RNCP34069",
        status="in_progress",
        start_date=today - timedelta(days=45),
        end_date=today + timedelta(days=120),
        hours=Decimal("805"),
        funding="CPF et France Travail",
    )
    records.send_referral(
        ft,
        karim_pp.id,
        ml,
        needs=["mobility"],
        advisor=julien,
        message="Besoin d'aide au permis de conduire pour les chantiers.",
    )

    # Sophie, 45, employee, thinking of a career change through VAE.
    sophie = accounts.register_individual("sophie.lefevre@exemple.demo", password, "Sophie Lefèvre")
    sophie_pp = passports.passport_of(sophie)
    passports.update_profile(
        sophie_pp,
        birth_year=today.year - 45,
        department="28",
        situation="employee",
        qualification_level=4,
    )
    records.declare_cpf(sophie_pp, today - timedelta(days=400), Decimal("2750.00"))
    records.declare_cpf(sophie_pp, today - timedelta(days=30), Decimal("3250.00"), dif_hours=0)
    records.record_reception(
        cep,
        sophie_pp.id,
        date=today - timedelta(days=25),
        channel="phone",
        needs=["career_change", "vae"],
        situation="employee",
        outcome="appointment",
        advisor=marc,
        summary="Aide-soignante depuis 15 ans, envisage le diplôme d'infirmière.",
    )
    records.send_referral(
        cep,
        sophie_pp.id,
        by_code["VAE-28"],
        needs=["vae"],
        advisor=marc,
        message="Première information VAE faite ; dossier de recevabilité à lancer.",
    )

    # Karim shares his passport with the Mission locale (it appears in its workspace).
    sharing.create_share(
        karim_pp,
        sections=["profile", "receptions", "referrals", "trainings", "cpf"],
        permissions=["read", "append"],
        expires_in_days=30,
        structure=ml,
        label="Mission locale : aide au permis",
    )

    # Anonymous receptions: the barometer counts them too.
    for days, needs in [
        (3, ["summer_job"]),
        (5, ["summer_job"]),
        (9, ["training_search"]),
        (12, ["job_search", "mobility"]),
        (15, ["orientation"]),
    ]:
        records.record_reception(
            ml,
            None,
            date=today - timedelta(days=days),
            channel="in_person",
            needs=needs,
            advisor=camille,
        )
    for email in (
        "lea.martin@exemple.demo",
        "karim.benali@exemple.demo",
        "sophie.lefevre@exemple.demo",
    ):
        created.append((email, Role.INDIVIDUAL.value))
    return created
