"""What a visit says to the holder, in plain French (and English from the catalog).

"La Mission locale de Dreux (Camille R.) a consulté votre passeport (profil, formations) et
ajouté un premier accueil." One sentence for what was done, one for the refused attempts
and why. Used by the in-app notice, the access-log page and the grouped mail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import format_date, format_time, get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l

from passport.labels import REFERRAL_STATUSES

if TYPE_CHECKING:
    from passport.accounts.models import User
    from passport.sharing.models import Visit
    from passport.structures.models import Structure

#: Why a refused attempt was refused (codes of ``records.access.DENIAL_REASONS``).
DENIAL_LABELS = {
    "passcode_missing": _l("sans le code d'accès"),
    "passcode_wrong": _l("code d'accès faux"),
    "locked": _l("lien verrouillé après trop de codes faux"),
    "expired": _l("lien expiré"),
    "revoked": _l("lien révoqué"),
    "suspended": _l("lien suspendu"),
    "used_up": _l("lien à usage unique déjà utilisé"),
    "audience": _l("lien destiné à une autre structure"),
    "not_permitted": _l("action que le partage ne permet pas"),
}

#: The sections read, inside a sentence.
SEEN_LABELS = {
    "profile": _l("profil"),
    "receptions": _l("accueils"),
    "referrals": _l("orientations"),
    "trainings": _l("formations"),
    "cpf": _l("CPF"),
}

#: The first word of a structure's name -> its article, to begin a French sentence with
#: ("la Mission locale", "le CIO", "l'Apec"); names not listed take none ("France Travail").
ARTICLES = {
    "mission": "la ",
    "maison": "la ",
    "chambre": "la ",
    "cci": "la ",
    "cma": "la ",
    "cité": "la ",
    "direction": "la ",
    "cio": "le ",
    "point": "le ",
    "bureau": "le ",
    "centre": "le ",
    "service": "le ",
    "suio": "le ",
    "gip": "le ",
    "plie": "le ",
    "pij": "le ",
    "bij": "le ",
    "crij": "le ",
    "réseau": "le ",
    "pôle": "le ",
    "carif": "le ",
    "apec": "l'",
    "agence": "l'",
    "association": "l'",
    "espace": "l'",
    "afpa": "l'",
}


def _french() -> bool:
    locale = get_locale()
    return locale is None or locale.language == "fr"


def structure_subject(structure: Structure | None) -> str:
    """The structure at the start of a sentence: "La Mission locale de Dreux"."""
    if structure is None:
        return gettext("Une structure inconnue")
    name = structure.name.strip()
    article = ""
    if _french():
        first = name.split(maxsplit=1)[0].lower() if name else ""
        article = ARTICLES.get(first, "")
    text = article + name
    return text[:1].upper() + text[1:]


def advisor_short(user: User | None) -> str | None:
    """ "Camille R.": the first name and the initial of the last (minimal data)."""
    if user is None or not user.full_name.strip():
        return None
    first, *rest = user.full_name.split()
    return f"{first} {rest[-1][0]}." if rest else first


def who(visit: Visit) -> str:
    structure = structure_subject(visit.structure)
    advisor = advisor_short(visit.advisor)
    if advisor and visit.structure is not None:
        return gettext("%(structure)s (%(advisor)s)", structure=structure, advisor=advisor)
    return structure


def _count(n: int, one: str, many) -> str:
    return one if n == 1 else many(n)


def added_phrases(added: dict[str, int]) -> list[str]:
    """What was written, as past participles: "ajouté un premier accueil"."""
    phrases = []
    for kind, n in sorted(added.items()):
        if kind == "reception":
            phrase = _count(
                n,
                gettext("ajouté un premier accueil"),
                lambda k: ngettext(
                    "ajouté %(num)s premier accueil", "ajouté %(num)s premiers accueils", k
                ),
            )
        elif kind == "referral":
            phrase = _count(
                n,
                gettext("envoyé une fiche navette"),
                lambda k: ngettext(
                    "envoyé %(num)s fiche navette", "envoyé %(num)s fiches navettes", k
                ),
            )
        elif kind == "training":
            phrase = _count(
                n,
                gettext("attesté une formation"),
                lambda k: ngettext("attesté %(num)s formation", "attesté %(num)s formations", k),
            )
        elif kind == "cpf":
            phrase = _count(
                n,
                gettext("attesté un relevé CPF"),
                lambda k: ngettext("attesté %(num)s relevé CPF", "attesté %(num)s relevés CPF", k),
            )
        elif kind.startswith("status:"):
            continue  # one phrase for every status change, below
        else:
            phrase = ngettext("ajouté %(num)s autre élément", "ajouté %(num)s autres éléments", n)
        phrases.append(phrase)
    statuses = [code for code in REFERRAL_STATUSES if f"status:{code}" in added]
    if statuses:
        names = gettext(", puis ").join(
            gettext("« %(s)s »", s=REFERRAL_STATUSES[code]) for code in statuses
        )
        phrases.append(gettext("mis à jour votre fiche navette (%(s)s)", s=names))
    return phrases


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return gettext("%(a)s et %(b)s", a=", ".join(parts[:-1]), b=parts[-1])


def seen_phrase(visit: Visit) -> str:
    sections = [str(SEEN_LABELS.get(s, s)) for s in visit.seen or []]
    if not sections:
        return gettext("consulté votre passeport")
    return gettext("consulté votre passeport (%(s)s)", s=", ".join(sections))


def reasons_phrase(visit: Visit) -> str:
    """ "code d'accès faux, lien expiré": the distinct reasons, in order of first refusal."""
    ordered = [visit.reasons[k] for k in sorted(visit.reasons or {}, key=int)]
    labels = [str(DENIAL_LABELS.get(code, code)) for code in dict.fromkeys(ordered)]
    return ", ".join(labels)


def headline(visit: Visit) -> str:
    """The first sentence, without its full stop."""
    done = []
    if visit.views:
        done.append(seen_phrase(visit))
    done.extend(added_phrases(visit.added or {}))
    if not done and visit.appends:
        done.append(gettext("ouvert votre passeport pour y ajouter des informations"))
    if done:
        return gettext("%(who)s a %(what)s", who=who(visit), what=_join(done))
    return gettext("%(who)s a essayé d'ouvrir votre passeport", who=who(visit))


def subject(visit: Visit) -> str:
    """A short mail subject (the details are in the body): "La Mission locale de Dreux a
    consulté votre passeport"."""
    structure = structure_subject(visit.structure)
    if visit.views:
        return gettext("%(who)s a consulté votre passeport", who=structure)
    if visit.added or visit.appends:
        return gettext("%(who)s a écrit dans votre passeport", who=structure)
    return gettext("%(who)s a essayé d'ouvrir votre passeport", who=structure)


def refusals(visit: Visit) -> str:
    """The sentence about the refused attempts, or ""."""
    if not visit.denials:
        return ""
    why = reasons_phrase(visit)
    if not (visit.views or visit.appends):
        if visit.denials == 1:
            if why:
                return gettext("L'accès a été refusé (%(why)s).", why=why)
            return gettext("L'accès a été refusé.")
        if why:
            return ngettext(
                "L'accès a été refusé %(num)s fois (%(why)s).",
                "L'accès a été refusé %(num)s fois (%(why)s).",
                visit.denials,
                why=why,
            )
        return ngettext(
            "L'accès a été refusé %(num)s fois.",
            "L'accès a été refusé %(num)s fois.",
            visit.denials,
        )
    if why:
        return ngettext(
            "%(num)s tentative a été refusée (%(why)s).",
            "%(num)s tentatives ont été refusées (%(why)s).",
            visit.denials,
            why=why,
        )
    return ngettext(
        "%(num)s tentative a été refusée.", "%(num)s tentatives ont été refusées.", visit.denials
    )


def when(visit: Visit) -> str:
    """ "le 2 décembre 2026 de 10:05 à 10:40" (the site's time zone)."""
    day = format_date(visit.started_at, format="long")
    start = format_time(visit.started_at, format="short")
    end = format_time(visit.last_at, format="short")
    last_day = format_date(visit.last_at, format="long")
    if last_day != day:
        return gettext(
            "du %(d1)s à %(t1)s au %(d2)s à %(t2)s", d1=day, t1=start, d2=last_day, t2=end
        )
    if start == end:
        return gettext("le %(d)s à %(t)s", d=day, t=start)
    return gettext("le %(d)s de %(t1)s à %(t2)s", d=day, t1=start, t2=end)


def summary(visit: Visit) -> str:
    """Everything the holder is told about one visit, in one or two sentences."""
    text = headline(visit) + "."
    extra = refusals(visit)
    return f"{text} {extra}" if extra else text
