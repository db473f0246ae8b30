"""The directory's vocabularies: NEED codes mapped to data·inclusion ``thematiques``.

Every data·inclusion list (thematiques, publics, frais, modes d'accueil, réseaux porteurs)
comes from the ``data-inclusion-schema`` package; only the mapping to this project's own
codes is written here.
"""

from __future__ import annotations

from data_inclusion.schema.v1 import Frais, ModeAccueil, Public, ReseauPorteur, Thematique

from passport.passports.models import Need, Situation

T = Thematique

#: NEED code -> data·inclusion thematiques (the first one is the main one, used on export).
NEED_THEMATIQUES: dict[str, tuple[Thematique, ...]] = {
    Need.SUMMER_JOB: (T.TROUVER_UN_EMPLOI__REPONDRE_A_DES_OFFRES_DEMPLOI,),
    Need.JOB_SEARCH: (
        T.TROUVER_UN_EMPLOI__FAIRE_DES_CANDIDATURES_SPONTANEES,
        T.PREPARER_SA_CANDIDATURE__REALISER_UN_CV_ET_OU_UNE_LETTRE_DE_MOTIVATION,
        T.PREPARER_SA_CANDIDATURE__ORGANISER_SES_DEMARCHES_DE_RECHERCHE_DEMPLOI,
        T.TROUVER_UN_EMPLOI__CONVAINCRE_UN_RECRUTEUR_EN_ENTRETIEN,
    ),
    Need.TRAINING_SEARCH: (T.SE_FORMER__TROUVER_SA_FORMATION,),
    Need.TRAINING_FUNDING: (T.SE_FORMER__MONTER_SON_DOSSIER_DE_FORMATION,),
    Need.ORIENTATION: (
        T.CHOISIR_UN_METIER__DECOUVRIR_UN_METIER_OU_UN_SECTEUR_DACTIVITE,
        T.CHOISIR_UN_METIER__IDENTIFIER_SES_POINTS_FORTS_ET_SES_COMPETENCES,
    ),
    Need.CAREER_CHANGE: (
        T.CHOISIR_UN_METIER__CONFIRMER_SON_CHOIX_DE_METIER,
        T.CHOISIR_UN_METIER__CONNAITRE_LES_OPPORTUNITES_DEMPLOI,
    ),
    Need.APPRENTICESHIP: (
        T.SE_FORMER__TROUVER_SA_FORMATION,
        T.TROUVER_UN_EMPLOI__REPONDRE_A_DES_OFFRES_DEMPLOI,
    ),
    Need.VAE: (T.PREPARER_SA_CANDIDATURE__VALORISER_SES_COMPETENCES,),
    Need.BUSINESS_CREATION: (
        T.CREER_UNE_ENTREPRISE__DEFINIR_SON_PROJET_DE_CREATION_DENTREPRISE,
        T.CREER_UNE_ENTREPRISE__STRUCTURER_SON_PROJET_DE_CREATION_DENTREPRISE,
        T.CREER_UNE_ENTREPRISE__DEVELOPPER_SON_ENTREPRISE,
    ),
    Need.MOBILITY: (
        T.MOBILITE__PREPARER_UN_PERMIS,
        T.MOBILITE__FINANCER_MA_MOBILITE,
        T.MOBILITE__ETRE_ACCOMPAGNE_DANS_SON_PARCOURS_MOBILITE,
    ),
    Need.HOUSING_HEALTH: (
        T.LOGEMENT_HEBERGEMENT__SINFORMER_SUR_LES_DEMARCHES_LIEES_A_LACCES_AU_LOGEMENT,
        T.SANTE__ACCES_AUX_SOINS,
    ),
    Need.OTHER: (
        T.DIFFICULTES_ADMINISTRATIVES_OU_JURIDIQUES__ACCOMPAGNEMENT_POUR_LACCES_AUX_DROITS,
    ),
}
#: A thematique with no mapping of its own falls back on its category (import only).
_CATEGORY_NEEDS: dict[str, str] = {
    "trouver-un-emploi": Need.JOB_SEARCH,
    "preparer-sa-candidature": Need.JOB_SEARCH,
    "se-former": Need.TRAINING_SEARCH,
    "choisir-un-metier": Need.ORIENTATION,
    "creer-une-entreprise": Need.BUSINESS_CREATION,
    "mobilite": Need.MOBILITY,
    "logement-hebergement": Need.HOUSING_HEALTH,
    "sante": Need.HOUSING_HEALTH,
}

NEED_CODES: list[str] = [n.value for n in Need]
SITUATION_CODES: list[str] = [s.value for s in Situation]
PUBLIC_CODES: list[str] = [p.value for p in Public]
FRAIS_CODES: list[str] = [f.value for f in Frais]
MODE_ACCUEIL_CODES: list[str] = [m.value for m in ModeAccueil]


def thematiques_of(needs: list[str]) -> list[str]:
    """The data·inclusion thematiques of NEED codes, in a stable order, without repeats."""
    seen: dict[str, None] = {}
    for need in needs:
        for thematique in NEED_THEMATIQUES.get(need, ()):
            seen.setdefault(thematique.value, None)
    return list(seen)


def needs_of(thematiques: list[str]) -> list[str]:
    """NEED codes for data·inclusion thematiques (unknown thematiques are left out).

    A thematique with no mapping of its own falls back on its category's need, if any.
    """
    mapping = _need_of_thematique()
    found: dict[str, None] = {}
    for value in thematiques:
        need = mapping.get(value) or _CATEGORY_NEEDS.get(value.split("--")[0])
        if need is not None:
            found.setdefault(str(need), None)
    return [n for n in NEED_CODES if n in found]


def _need_of_thematique() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for need, thematiques in NEED_THEMATIQUES.items():
        for thematique in thematiques:
            mapping.setdefault(thematique.value, str(need))
    return mapping


#: Structure type (DOMAIN.md) <-> data·inclusion réseau porteur, where one exists.
TYPE_RESEAUX: dict[str, ReseauPorteur] = {
    "ML": ReseauPorteur.MISSION_LOCALE,
    "FT": ReseauPorteur.FRANCE_TRAVAIL,
    "CAP": ReseauPorteur.CAP_EMPLOI_RESEAU_CHEOPS,
    "IJ": ReseauPorteur.RESEAU_INFORMATION_JEUNESSE,
    "CMA": ReseauPorteur.CHAMBRES_CONSULAIRES,
    "CCI": ReseauPorteur.CHAMBRES_CONSULAIRES,
    "MDE": ReseauPorteur.MAISONS_DE_L_EMPLOI,
}


def type_of_reseaux(reseaux: list[str]) -> str | None:
    for type_, reseau in TYPE_RESEAUX.items():
        if reseau.value in reseaux:
            return type_
    return None
