"""The indicators of the territory, as published: the barometer of needs and partnership quality.

``indicators(question)`` is the one entry point (API, dashboard and CSV call it). Every count
goes through ``disclosure.protect`` (rounding down to 5, nothing under 5, an audit of the sums
with secondary suppression); medians need at least ``MIN_OBSERVATIONS`` delays. Anonymous
receptions and the anonymised records of erased passports count like the others.
"""

from __future__ import annotations

from itertools import product

from passport.indicators import queries, raw
from passport.indicators.disclosure import BASE, Table, protect
from passport.indicators.periods import Question

MIN_OBSERVATIONS = BASE
CEP_KEYS = ("cep", "other")
WAITING = ("sent", "received", "appointment")
DELAYS = ("received", "appointment")


def _codes():
    from passport.labels import CHANNELS, NEEDS, SITUATIONS
    from passport.passports.models import DeclineReason, ReferralStatus
    from passport.structures.models import STRUCTURE_TYPES

    return (
        list(NEEDS),
        list(CHANNELS),
        list(SITUATIONS),
        list(STRUCTURE_TYPES),
        [s.value for s in ReferralStatus],
        [r.value for r in DeclineReason],
    )


def _cep(is_cep: bool) -> str:
    return CEP_KEYS[0] if is_cep else CEP_KEYS[1]


def true_table(q: Question, *, from_records: bool = False) -> tuple[Table, queries.ReferralCounts]:
    """The true counts of ``q`` and the sums that tie them (never published as is).

    They come from the monthly counts; ``from_records`` counts the records instead (the
    reference that the monthly counts must equal, far slower).
    """
    source = raw if from_records else queries
    table = Table()
    reception_table(table, source.receptions(q), q.months)
    counts = source.referrals(q)
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
    needs, channels, situations, types, _, _ = _codes()
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
    for need in needs:
        for month in months:
            v[("r", "need", need, month)] = 0
    known = set(situations)
    for (dim, value, month, type_, cep), n in counts.margins.items():
        if dim == "need":
            v[("r", "need", value, month)] = v.get(("r", "need", value, month), 0) + n
            continue
        if dim == "anonymous":
            v[("r", "anonymous", value == "yes")] += n
        elif dim == "situation":
            situation = value if value in known else None
            v[("r", "situation", situation)] += n
        elif dim == "channel":
            # Each reception has one channel: the channels carry the other margins.
            v[("r", "total")] += n
            margins: tuple[tuple, ...] = (
                ("r", "channel", value),
                ("r", "type", type_),
                ("r", "cep", _cep(cep)),
                ("r", "month", month),
            )
            for margin in margins:
                v[margin] = v.get(margin, 0) + n
    table.unpublished |= {("r", "situation", None), ("r", "anonymous", False)}
    for dim, values in keys.items():
        table.add_sum(("r", "total"), [("r", dim, value) for value in values])
    for need in needs:
        v[("r", "need", need)] = sum(v[("r", "need", need, m)] for m in months)
        table.add_sum(("r", "need", need), [("r", "need", need, m) for m in months])


def referral_table(table: Table, counts: queries.ReferralCounts) -> None:
    """The true referral counts and the sums that tie them (keys start with "f")."""
    _, _, _, types, statuses, reasons = _codes()
    v = table.values
    v[("f", "total")] = 0
    v[("f", "waiting")] = 0
    for status in statuses:
        v[("f", "status", status)] = 0
    for reason in [*reasons, None]:
        v[("f", "reason", reason)] = 0
    for key in CEP_KEYS:
        v[("f", "cep", key)] = 0
        v[("f", "cep", key, "waiting")] = 0
        for status in statuses:
            v[("f", "cep", key, "status", status)] = 0
    routes = list(product(types, types))
    for a, b in routes:
        for part in ("count", "completed", "declined"):
            v[("f", "route", a, b, part)] = 0
    known = set(reasons)
    for (a, b, cep, status, reason), n in counts.cube.items():
        group = _cep(cep)
        v[("f", "total")] += n
        v[("f", "status", status)] = v.get(("f", "status", status), 0) + n
        v[("f", "cep", group)] += n
        v[("f", "cep", group, "status", status)] = (
            v.get(("f", "cep", group, "status", status), 0) + n
        )
        v[("f", "route", a, b, "count")] = v.get(("f", "route", a, b, "count"), 0) + n
        if status in ("completed", "declined"):
            route_key = ("f", "route", a, b, status)
            v[route_key] = v.get(route_key, 0) + n
        if status == "declined":
            v[("f", "reason", reason if reason in known else None)] += n
        if status in WAITING:
            v[("f", "waiting")] += n
            v[("f", "cep", group, "waiting")] += n
    # A decline written before reasons were recorded has none: counted, never published.
    table.unpublished.add(("f", "reason", None))
    table.add_sum(("f", "total"), [("f", "status", s) for s in statuses])
    table.add_sum(("f", "total"), [("f", "cep", key) for key in CEP_KEYS])
    table.add_sum(("f", "total"), [("f", "route", a, b, "count") for a, b in routes])
    table.add_sum(("f", "waiting"), [("f", "status", s) for s in WAITING])
    table.add_sum(("f", "waiting"), [("f", "cep", key, "waiting") for key in CEP_KEYS])
    table.add_sum(("f", "status", "declined"), [("f", "reason", r) for r in [*reasons, None]])
    for status in ("completed", "declined"):
        table.add_sum(("f", "status", status), [("f", "route", a, b, status) for a, b in routes])
    for status in statuses:
        parts = [("f", "cep", k, "status", status) for k in CEP_KEYS]
        table.add_sum(("f", "status", status), parts)
    for key in CEP_KEYS:
        cep_group = ("f", "cep", key)
        table.add_sum(cep_group, [(*cep_group, "status", s) for s in statuses])
        table.add_sum((*cep_group, "waiting"), [(*cep_group, "status", s) for s in WAITING])


def receptions_answer(shown: dict, months: list[str]) -> dict:
    needs, channels, situations, types, _, _ = _codes()
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
    _, _, _, types, statuses, reasons = _codes()
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
    by_status = {s: shown[("f", "status", s)] for s in statuses}
    return {
        "total": shown[("f", "total")],
        "waiting": shown[("f", "waiting")],
        "by_status": by_status,
        **rates(by_status, shown[("f", "total")]),
        "by_reason": {r: shown[("f", "reason", r)] for r in reasons},
        "by_cep_operator": {k: _cep_group(shown, counts, k) for k in CEP_KEYS},
        "median_days_to_received": median_days(counts, "received"),
        "median_days_to_appointment": median_days(counts, "appointment"),
        "routes": routes,
    }


def _cep_group(shown: dict, counts: queries.ReferralCounts, key: str) -> dict:
    """Referrals sent by CEP operators (or by the others), their rates and delays."""
    _, _, _, _, statuses, _ = _codes()
    by_status = {s: shown[("f", "cep", key, "status", s)] for s in statuses}
    is_cep = key == CEP_KEYS[0]
    return {
        "total": shown[("f", "cep", key)],
        "waiting": shown[("f", "cep", key, "waiting")],
        "by_status": by_status,
        **rates(by_status, shown[("f", "cep", key)]),
        "median_days_to_received": median_days(counts, "received", is_cep),
        "median_days_to_appointment": median_days(counts, "appointment", is_cep),
    }


def rates(by_status: dict, total: int | None) -> dict:
    """Completion and decline rates in percent, from published figures only (None when
    either is hidden): they say nothing that the published counts do not."""
    return {
        "completion_rate": share(by_status["completed"], total),
        "decline_rate": share(by_status["declined"], total),
    }


def share(part: int | None, whole: int | None) -> int | None:
    """A percentage of two published figures (None when either is hidden)."""
    if part is None or not whole:
        return None
    return round(100 * part / whole)


def median_hours(histogram: dict[int, int]) -> tuple[int, float | None]:
    """How many delays a histogram of whole hours holds, and their median (the mean of the
    two middle ones for an even count)."""
    n = sum(histogram.values())
    if n == 0:
        return 0, None
    wanted = sorted({(n - 1) // 2, n // 2})
    found, seen = [], 0
    for hours in sorted(histogram):
        count = histogram[hours]
        while wanted and wanted[0] < seen + count:
            found.append(hours)
            wanted.pop(0)
        seen += count
    values = found if n % 2 == 0 else found[:1]
    return n, sum(values) / len(values)


def median_days(
    counts: queries.ReferralCounts, status: str, cep: bool | None = None
) -> float | None:
    """A median delay in days, to the tenth, over at least MIN_OBSERVATIONS delays; ``cep``
    restricts it to the referrals sent by CEP operators (True) or the others (False)."""
    histogram: dict[int, int] = {}
    for (s, is_cep, hours), n in counts.delays.items():
        if s == status and (cep is None or is_cep == cep):
            histogram[hours] = histogram.get(hours, 0) + n
    n, median = median_hours(histogram)
    if n < MIN_OBSERVATIONS or median is None:
        return None
    return round(median / 24, 1)
