"""The indicators of the territory, as published: the barometer of needs and partnership quality.

``indicators(question)`` is the one entry point (API, dashboard and CSV call it). Every count
goes through ``disclosure.protect`` (rounding down to 5, nothing under 5, an audit of the sums
with secondary suppression); medians need at least ``MIN_OBSERVATIONS`` delays. Anonymous
receptions and the anonymised records of erased passports count like the others.
"""

from __future__ import annotations

from itertools import product

from passport.indicators import queries
from passport.indicators.disclosure import BASE, Table, protect
from passport.indicators.periods import Question

MIN_OBSERVATIONS = BASE
CEP_KEYS = ("cep", "other")
WAITING = ("sent", "received", "appointment")


def _codes():
    from passport.labels import CHANNELS, NEEDS, SITUATIONS
    from passport.passports.models import ReferralStatus
    from passport.structures.models import STRUCTURE_TYPES

    return (
        list(NEEDS),
        list(CHANNELS),
        list(SITUATIONS),
        list(STRUCTURE_TYPES),
        [s.value for s in ReferralStatus],
    )


def true_table(q: Question) -> tuple[Table, queries.ReferralCounts]:
    """The true counts of ``q`` and the sums that tie them (never published as is)."""
    table = Table()
    reception_table(table, queries.receptions(q), q.months)
    counts = queries.referrals(q)
    referral_table(table, counts)
    return table, counts


def indicators(q: Question) -> dict:
    """The protected answer to ``q`` (the shape of API.md's Indicators section)."""
    table, counts = true_table(q)
    shown = protect(table)
    return answer(q, shown, counts)


def answer(q: Question, shown: dict, counts: queries.ReferralCounts) -> dict:
    """The published figures ``shown`` laid out as the API answers them."""
    return {
        "from": q.start.isoformat(),
        "to": q.end.isoformat(),
        "department": q.department,
        "structure_type": q.structure_type,
        "disclosure": {"rounding_base": BASE, "min_observations_for_medians": MIN_OBSERVATIONS},
        "receptions": receptions_answer(shown, q.months),
        "referrals": referrals_answer(shown, counts),
    }


def reception_table(table: Table, counts: queries.ReceptionCounts, months: list[str]) -> None:
    """The true reception counts and the sums that tie them (keys start with "r")."""
    needs, channels, situations, types, _ = _codes()
    v = table.values
    keys = {
        "channel": channels,
        "situation": [*situations, None],
        "type": types,
        "cep": list(CEP_KEYS),
        "anonymous": [True, False],
        "month": months,
    }
    for dim, values in keys.items():
        for value in values:
            v[("r", dim, value)] = 0
    v[("r", "total")] = 0
    for (month, channel, situation, type_, cep, anon), n in counts.cube.items():
        v[("r", "total")] += n
        situation = situation if situation in situations else None
        for key in (
            ("r", "channel", channel),
            ("r", "situation", situation),
            ("r", "type", type_),
            ("r", "cep", CEP_KEYS[0] if cep else CEP_KEYS[1]),
            ("r", "anonymous", anon),
            ("r", "month", month),
        ):
            v[key] = v.get(key, 0) + n
    table.unpublished |= {("r", "situation", None), ("r", "anonymous", False)}
    for dim, values in keys.items():
        table.add_sum(("r", "total"), [("r", dim, value) for value in values])
    for need in needs:
        for month in months:
            v[("r", "need", need, month)] = counts.needs.get((need, month), 0)
        v[("r", "need", need)] = sum(v[("r", "need", need, m)] for m in months)
        table.add_sum(("r", "need", need), [("r", "need", need, m) for m in months])


def referral_table(table: Table, counts: queries.ReferralCounts) -> None:
    """The true referral counts and the sums that tie them (keys start with "f")."""
    _, _, _, types, statuses = _codes()
    v = table.values
    v[("f", "total")] = 0
    v[("f", "waiting")] = 0
    for status in statuses:
        v[("f", "status", status)] = 0
    for key in CEP_KEYS:
        v[("f", "cep", key)] = 0
    routes = list(product(types, types))
    for a, b in routes:
        for part in ("count", "completed", "declined"):
            v[("f", "route", a, b, part)] = 0
    for (a, b, cep, status), n in counts.cube.items():
        v[("f", "total")] += n
        v[("f", "status", status)] = v.get(("f", "status", status), 0) + n
        v[("f", "cep", CEP_KEYS[0] if cep else CEP_KEYS[1])] += n
        v[("f", "route", a, b, "count")] = v.get(("f", "route", a, b, "count"), 0) + n
        if status in ("completed", "declined"):
            route_key = ("f", "route", a, b, status)
            v[route_key] = v.get(route_key, 0) + n
        if status in WAITING:
            v[("f", "waiting")] += n
    table.add_sum(("f", "total"), [("f", "status", s) for s in statuses])
    table.add_sum(("f", "total"), [("f", "cep", key) for key in CEP_KEYS])
    table.add_sum(("f", "total"), [("f", "route", a, b, "count") for a, b in routes])
    table.add_sum(("f", "waiting"), [("f", "status", s) for s in WAITING])
    for status in ("completed", "declined"):
        table.add_sum(("f", "status", status), [("f", "route", a, b, status) for a, b in routes])


def receptions_answer(shown: dict, months: list[str]) -> dict:
    needs, channels, situations, types, _ = _codes()
    return {
        "total": shown[("r", "total")],
        "anonymous": shown[("r", "anonymous", True)],
        "by_need": {n: shown[("r", "need", n)] for n in needs},
        "by_channel": {c: shown[("r", "channel", c)] for c in channels},
        "by_situation": {s: shown[("r", "situation", s)] for s in situations},
        "by_structure_type": {t: shown[("r", "type", t)] for t in types},
        "by_cep_operator": {k: shown[("r", "cep", k)] for k in CEP_KEYS},
        "by_month": [
            {
                "month": m,
                "total": shown[("r", "month", m)],
                "by_need": {n: shown[("r", "need", n, m)] for n in needs},
            }
            for m in months
        ],
    }


def referrals_answer(shown: dict, counts: queries.ReferralCounts) -> dict:
    _, _, _, types, statuses = _codes()
    routes = []
    for a, b in product(types, types):
        count = shown[("f", "route", a, b, "count")]
        if count is not None:
            routes.append(
                {
                    "from_type": a,
                    "to_type": b,
                    "count": count,
                    "completed": shown[("f", "route", a, b, "completed")],
                    "declined": shown[("f", "route", a, b, "declined")],
                }
            )
    routes.sort(key=lambda r: (-r["count"], r["from_type"], r["to_type"]))
    return {
        "total": shown[("f", "total")],
        "waiting": shown[("f", "waiting")],
        "by_status": {s: shown[("f", "status", s)] for s in statuses},
        # Decline reasons are not recorded yet (no column on referrals): nothing to count.
        "by_reason": {},
        "by_cep_operator": {k: shown[("f", "cep", k)] for k in CEP_KEYS},
        "median_days_to_received": _median(counts, "received"),
        "median_days_to_appointment": _median(counts, "appointment"),
        "routes": routes,
    }


def _median(counts: queries.ReferralCounts, status: str) -> float | None:
    """A median in days, to the tenth, over at least MIN_OBSERVATIONS delays."""
    if counts.delays_counted.get(status, 0) < MIN_OBSERVATIONS:
        return None
    value = counts.medians[status]
    return None if value is None else round(value, 1)
