"""Directory entries of the demo network (Dreux, Eure-et-Loir): addresses, hours, zones,
publics and services. Addresses are plausible, numbers and mailboxes fictional (.demo),
and contact people invented."""

from __future__ import annotations

from passport.directory import services as directory
from passport.structures.models import Structure

AGGLO_DREUX = "200040277"  # CA du Pays de Dreux
WEEKDAYS = "Mo-Fr 09:00-12:30,13:30-17:00; PH off"

ENTRIES: dict[str, dict] = {
    "ML-DREUX": {
        "address": "4 rue de Châteaudun",
        "commune": "28134",
        "phone": "02 37 00 10 10",
        "email": "accueil@ml-dreux.demo",
        "website": "https://ml-dreux.demo",
        "opening_hours": "Mo-Th 09:00-12:30,13:30-17:30; Fr 09:00-12:30,13:30-16:30; PH off",
        "publics": ["jeunes"],
        "age_min": 16,
        "age_max": 25,
        "zone": [AGGLO_DREUX],
        "description": "Accompagnement des 16-25 ans vers l'emploi, la formation et l'autonomie.",
        "services": [
            (
                "Job d'été et premier emploi",
                "Des offres de jobs d'été, un atelier CV le mercredi et une mise en relation "
                "avec les employeurs du Drouais.",
                ["summer_job", "job_search"],
                "Sans rendez-vous le mercredi de 14 h à 17 h.",
                "Fiche navette, ou courriel à la conseillère référente.",
                "Inès Belkacem",
            ),
            (
                "Trouver sa formation ou son apprentissage",
                "Un conseiller vous aide à choisir une formation, un contrat d'apprentissage "
                "et à monter le dossier.",
                ["training_search", "apprenticeship", "orientation"],
                "Sur rendez-vous, par téléphone ou à l'accueil.",
                "Fiche navette avec les besoins de la personne.",
                "Hugo Lefèvre",
            ),
            (
                "Mobilité et permis",
                "Aide au permis de conduire, prêt de scooter et accompagnement logement et santé.",
                ["mobility", "housing_health"],
                "Sur rendez-vous avec votre conseiller.",
                None,
                None,
            ),
        ],
    },
    "FT-DREUX": {
        "address": "13 rue des Embûches",
        "commune": "28134",
        "phone": "3949",
        "website": "https://francetravail.demo",
        "opening_hours": "Mo-We,Fr 08:30-12:30; Th 08:30-12:00; PH off",
        "publics": ["demandeurs-emploi"],
        "zone": [AGGLO_DREUX],
        "services": [
            (
                "Recherche d'emploi et financement de formation",
                "Inscription, accompagnement vers l'emploi, aide individuelle à la formation "
                "et conseil en création d'entreprise.",
                ["job_search", "training_funding", "training_search", "business_creation"],
                "Inscription en ligne, puis rendez-vous en agence.",
                "Fiche navette, ou l'outil de prescription du conseiller.",
                None,
            ),
            (
                "Reconversion",
                "Bilan, projet de reconversion et financement par le CPF.",
                ["career_change"],
                "Sur rendez-vous.",
                None,
                None,
            ),
        ],
    },
    "CAP-28": {
        "address": "15 rue Vincent Chevard",
        "commune": "28085",
        "phone": "02 37 00 20 20",
        "email": "contact@capemploi28.demo",
        "opening_hours": WEEKDAYS,
        "publics": ["personnes-en-situation-de-handicap"],
        "zone": ["28"],
        "services": [
            (
                "Emploi et handicap",
                "Accompagnement vers l'emploi et la formation des personnes ayant une "
                "reconnaissance de travailleur handicapé, maintien dans l'emploi.",
                ["job_search", "training_search", "career_change"],
                "Sur rendez-vous, permanence à Dreux le jeudi.",
                "Fiche navette.",
                "Sandrine Morel",
            )
        ],
    },
    "CIO-DREUX": {
        "address": "2 rue Saint-Martin",
        "commune": "28134",
        "phone": "02 37 00 30 30",
        "email": "cio.dreux@ac-orleans-tours.demo",
        "opening_hours": "Mo-Fr 09:00-12:00,13:30-17:30; Sa 09:00-12:00; PH off",
        "publics": ["jeunes", "etudiants"],
        "age_max": 30,
        "situations": ["student", "jobseeker", "other"],
        "zone": [AGGLO_DREUX],
        "services": [
            (
                "Orientation scolaire et professionnelle",
                "Entretien avec une psychologue de l'Éducation nationale pour choisir une "
                "voie, un métier, une formation.",
                ["orientation", "training_search"],
                "Avec ou sans rendez-vous, gratuit.",
                None,
                None,
            )
        ],
    },
    "BIJ-DREUX": {
        "address": "8 place Métézeau",
        "commune": "28134",
        "phone": "02 37 00 40 40",
        "email": "bij@dreux.demo",
        "opening_hours": "Tu-Fr 13:30-18:00; We 10:00-12:00; Sa 10:00-12:00; PH off",
        "publics": ["jeunes"],
        "age_max": 30,
        "zone": ["28134", "28404"],
        "services": [
            (
                "Information jeunesse",
                "Information gratuite et anonyme : jobs d'été, logement, santé, mobilité, "
                "projets. Espace numérique en libre accès.",
                ["summer_job", "housing_health", "mobility", "other"],
                "Sans rendez-vous aux heures d'ouverture.",
                None,
                "Yanis Ferreira",
            )
        ],
    },
    "CMA-28": {
        "address": "24 boulevard de la Courtille",
        "commune": "28085",
        "phone": "02 37 00 50 50",
        "email": "apprentissage@cma28.demo",
        "opening_hours": WEEKDAYS,
        "zone": ["28"],
        "services": [
            (
                "Apprentissage dans l'artisanat",
                "Trouver un maître d'apprentissage, signer son contrat, découvrir les "
                "métiers de l'artisanat.",
                ["apprenticeship", "orientation"],
                "Sur rendez-vous au centre d'aide à la décision.",
                "Courriel au centre d'aide à la décision.",
                "Julie Garnier",
            ),
            (
                "Créer ou reprendre une entreprise artisanale",
                "Stage de préparation à l'installation, formalités et conseil.",
                ["business_creation"],
                "Réunion d'information mensuelle, inscription en ligne.",
                None,
                None,
            ),
        ],
    },
    "M2ED": {
        "address": "4 rue Henri Dunant",
        "commune": "28134",
        "phone": "02 37 00 60 60",
        "email": "contact@m2ed.demo",
        "opening_hours": "Mo-Th 08:30-12:30,13:30-17:30; Fr 08:30-12:30,13:30-16:30; PH off",
        "publics": ["tous-publics"],
        "zone": [AGGLO_DREUX],
        "services": [
            (
                "Accueil emploi du Drouais",
                "Point d'accueil pour tous : offres d'emploi locales, jobs d'été, "
                "aide à la mobilité, premiers pas dans la création d'entreprise.",
                ["job_search", "summer_job", "mobility", "business_creation"],
                "Sans rendez-vous.",
                "Fiche navette ou téléphone.",
                "Nadia Roussel",
            )
        ],
    },
    "CEP-CVL": {
        "commune": "28085",
        "address": "1 place des Épars",
        "phone": "02 37 00 70 70",
        "opening_hours": WEEKDAYS,
        "publics": ["actifs"],
        "situations": ["employee", "self_employed", "public_agent"],
        "zone": ["18", "28", "36", "37", "41", "45"],
        "services": [
            (
                "Conseil en évolution professionnelle",
                "Gratuit et confidentiel pour les actifs : faire le point, changer de "
                "métier, faire reconnaître son expérience, financer son projet.",
                ["career_change", "vae", "training_funding"],
                "Sur rendez-vous, en agence ou à distance.",
                None,
                None,
            )
        ],
    },
    "CARIF-CVL": {
        "commune": "45234",
        "address": "10 rue Saint-Étienne",
        "website": "https://etoile.demo",
        "opening_hours": WEEKDAYS,
        "zone": ["18", "28", "36", "37", "41", "45"],
        "services": [
            (
                "Étoile : l'offre de formation en région",
                "Toutes les formations de la région, les financements et les métiers.",
                ["training_search", "training_funding", "vae"],
                "En ligne, ou par téléphone au numéro vert.",
                None,
                None,
            )
        ],
    },
}


def load_directory(by_code: dict[str, Structure]) -> None:
    """Fill the entries of the demo structures (they exist already)."""
    for code, data in ENTRIES.items():
        structure = by_code.get(code)
        if structure is None:
            continue
        values = {k: v for k, v in data.items() if k != "services"}
        directory.update_entry(structure, values)
        for title, description, needs, access, advisor, contact in data.get("services", []):
            directory.add_service(
                structure,
                title=title,
                description=description,
                needs=needs,
                fees="gratuit",
                access_person=access,
                access_advisor=advisor,
                contact_name=contact,
            )
