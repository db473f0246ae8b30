"""Keeping the monthly counts (``indicators.models``) equal to what the records say.

- **On write**: ``passport.records`` calls ``count_reception``, ``count_referral`` and
  ``count_status_change`` as it writes; each is one upsert (``count = count + n``,
  ``INSERT ... ON CONFLICT DO UPDATE`` on SQLite and PostgreSQL) in the same transaction as
  the record, so the counts commit or roll back with it.
- **On correction**: the records count as they read after their corrections
  (``count_correction``, called by ``records.correct_record``): a withdrawn reception or
  referral no longer counts, a rectified reception counts with its new values (its month
  too). A referral's rectification (``needs``, ``message``) changes nothing counted.
- **Groups**: the rows above name structures by id (``structure_id``, ``sender_id``,
  ``receiver_id``); ``_add`` and ``rebuild`` turn each id into the structure's group as the
  database holds it (department, type, CEP flag: ``indicators.models``). When a structure's
  group changes (an admin edit, a directory import: any flush of the ORM object),
  ``recount_structures`` moves its records from the old group to the new one, in the same
  transaction. On PostgreSQL a write reads the groups ``FOR SHARE``, so a write and a
  change of group of the same structure wait for each other: the records that a change
  moves are exactly those counted before it.
- **On erasure**: the receptions of an erased passport stay, anonymous
  (``trust.erasure``); ``forget_passport`` moves them from "not anonymous" to "anonymous".
  Referrals keep every counted field, so they need nothing. The erasure deletes the
  withdrawn records and writes the rectified values into the others before it deletes
  the corrections, so nothing else moves.
- **Rebuild**: ``rebuild(first, last)`` recomputes months from the records
  (``flask indicators rebuild``), after anything that writes records around
  ``passport.records`` (a bulk seed, an import) and on the worker's nightly schedule for
  the last two months. Withdrawn records are left out in SQL; the rectified receptions
  are counted in Python, since their new values are encrypted. ``flask indicators check``
  compares the counts with the records (``raw``, which reads the corrections alike).

Months are calendar months in French time; a referral's delay to a status is counted in
whole hours (rounded down) between whole seconds, the same way here and in ``raw``.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    String,
    and_,
    case,
    cast,
    delete,
    event,
    exists,
    func,
    insert,
    inspect,
    literal,
    or_,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from passport.db import LOCAL_TZ
from passport.extensions import db
from passport.indicators.models import ReceptionCount, ReferralCount, ReferralDelay, RegionDelay
from passport.indicators.periods import month_bounds, month_instants
from passport.passports.models import (
    Correction,
    CorrectionAction,
    Reception,
    Rectified,
    Referral,
    ReferralEvent,
)
from passport.structures.models import Structure

log = logging.getLogger(__name__)

#: The statuses whose delay from sending is published (as a median).
DELAY_STATUSES = ("received", "appointment")
TABLES = (ReceptionCount, ReferralCount, ReferralDelay, RegionDelay)
#: Tables kept as sums of another (over the columns they lack), on every write to it.
SUMMARIES = {ReferralDelay: (RegionDelay,)}
CHUNK = 5_000

#: A structure's group: its department, type and CEP flag (``indicators.models``).
Group = tuple[str, str, bool]
GROUP_COLUMNS = ("department", "structure_type", "cep")
#: For each table, the ids of the rows written and the columns of the group they stand for.
BY_ID: dict[type, dict[str, tuple[str, ...]]] = {
    ReceptionCount: {"structure_id": GROUP_COLUMNS},
    ReferralCount: {"sender_id": GROUP_COLUMNS, "receiver_id": ("receiver_type",)},
    ReferralDelay: {"sender_id": GROUP_COLUMNS},
}


def month_of(day: date | datetime) -> str:
    """``YYYY-MM`` of a day, or of an instant in French time."""
    if isinstance(day, datetime):
        day = day.astimezone(LOCAL_TZ)
    return f"{day.year:04d}-{day.month:02d}"


def delay_hours(sent: datetime, reached: datetime) -> int:
    """Whole hours from ``sent`` to ``reached`` (each taken to the second), never negative."""
    return max(0, (int(reached.timestamp()) - int(sent.timestamp())) // 3600)


def anonymous_value(passport_id: int | None) -> str:
    return "yes" if passport_id is None else "no"


# ------------------------------------------------------------------ on write


def count_reception(reception: Reception) -> None:
    """Count a reception just written (its margins and each of its needs)."""
    _add(ReceptionCount, _reception_rows(reception, 1))


def _reception_rows(reception: Reception | Rectified, n: int) -> list[dict]:
    """The rows that count a reception ``n`` times; ``reception`` may be a rectified view
    (``Reception.current``), so that a correction moves exactly what was counted."""
    if reception.issuer_structure_id is None:
        return []
    margins = [
        ("channel", reception.channel),
        ("situation", reception.situation or ""),
        ("anonymous", anonymous_value(reception.passport_id)),
        *(("need", need) for need in reception.needs or ()),
    ]
    month = month_of(reception.date)
    return [
        {
            "month": month,
            "structure_id": reception.issuer_structure_id,
            "dimension": dim,
            "value": value,
            "count": n * k,
        }
        for (dim, value), k in Counter(margins).items()
    ]


def count_referral(referral: Referral) -> None:
    """Count a referral just sent."""
    if referral.issuer_structure_id is None:
        return
    _add(ReferralCount, [_referral_row(referral, referral.status, None, 1)])


def count_status_change(referral: Referral, old_status: str, event: ReferralEvent) -> None:
    """Move a referral from ``old_status`` to the status of ``event`` (and its delay)."""
    if referral.issuer_structure_id is None:
        return
    _add(
        ReferralCount,
        [
            _referral_row(referral, old_status, None, -1),
            _referral_row(referral, event.status, event.reason, 1),
        ],
    )
    if event.status in DELAY_STATUSES:
        row = {
            "month": month_of(referral.created_at),
            "sender_id": referral.issuer_structure_id,
            "status": event.status,
            "hours": delay_hours(referral.created_at, event.created_at),
            "count": 1,
        }
        _add(ReferralDelay, [row])


def _referral_row(referral: Referral | Rectified, status: str, reason: str | None, n: int) -> dict:
    return {
        "month": month_of(referral.created_at),
        "sender_id": referral.issuer_structure_id,
        "receiver_id": referral.to_structure_id,
        "status": status,
        "reason": reason or "",
        "count": n,
    }


def count_correction(before: Any, correction: Correction) -> None:
    """Count a correction just written of a record that read as ``before`` until now (the
    ``Reception`` or ``Referral`` itself, or its ``Rectified`` view if it was rectified).

    A withdrawn reception or referral no longer counts: what ``before`` counted goes. A
    rectified reception counts with its new values: its margins move from the old values
    to the new ones (to another month too when its date changes). A referral's
    rectification (``needs``, ``message``) changes nothing that is counted.
    """
    if correction.action == CorrectionAction.WITHDRAW:
        if before.kind == Referral.kind:
            _uncount_referral(before)
        elif before.kind == Reception.kind:
            _add(ReceptionCount, _reception_rows(before, -1))
    elif correction.action == CorrectionAction.RECTIFY and before.kind == Reception.kind:
        after = Rectified(before, correction.changes)
        _add(ReceptionCount, [*_reception_rows(before, -1), *_reception_rows(after, 1)])


def _uncount_referral(referral: Referral | Rectified) -> None:
    """Take a withdrawn referral out of the counts: its status (and the decline's reason)
    and its delays, read from the database since a status change may have just been made."""
    if referral.issuer_structure_id is None:
        return
    status = db.session.execute(
        select(Referral.status).where(Referral.id == referral.id)
    ).scalar_one()
    events = db.session.execute(
        select(ReferralEvent.status, ReferralEvent.reason, ReferralEvent.created_at).where(
            ReferralEvent.referral_id == referral.id
        )
    ).all()
    reason = next((why for step, why, _ in events if step == "declined"), None)
    _add(ReferralCount, [_referral_row(referral, status, reason, -1)])
    _add(
        ReferralDelay,
        (
            {
                "month": month_of(referral.created_at),
                "sender_id": referral.issuer_structure_id,
                "status": step,
                "hours": delay_hours(referral.created_at, reached),
                "count": -1,
            }
            for step, _, reached in events
            if step in DELAY_STATUSES
        ),
    )


def forget_passport(passport_id: int) -> None:
    """Before a passport's receptions are anonymised (erasure): count them as anonymous."""
    rows = db.session.execute(
        select(Reception.date, Reception.issuer_structure_id).where(
            Reception.passport_id == passport_id, Reception.issuer_structure_id.is_not(None)
        )
    )
    moved = Counter((month_of(day), structure_id) for day, structure_id in rows)
    _add(
        ReceptionCount,
        (
            {
                "month": month,
                "structure_id": structure_id,
                "dimension": "anonymous",
                "value": value,
                "count": sign * n,
            }
            for (month, structure_id), n in moved.items()
            for value, sign in (("no", -1), ("yes", 1))
        ),
    )


def _add(model, rows: Iterable[dict], groups: dict[int, Group] | None = None) -> None:
    """``count += n`` for each row (inserted at ``n`` when new), in one executemany.

    The rows name structures by id; each id stands for its group in ``groups`` (by default
    the groups as the database holds them, read ``FOR SHARE`` on PostgreSQL). Rows are
    merged by key and sorted, so that two transactions lock the rows they share in the same
    order (no deadlock between two writers on PostgreSQL).
    """
    rows = list(rows)
    with db.session.no_autoflush:  # the groups as counted so far, not a pending edit's
        if groups is None:
            groups = groups_of(_ids_in(model, rows), lock=True)
        _upsert(model, _grouped(model, rows, groups))


def _upsert(model, rows: Iterable[dict]) -> None:
    """``count += n`` for rows keyed by group, merged by key and sorted (and in the tables
    that sum this one: ``SUMMARIES``)."""
    rows = list(rows)
    for summary in SUMMARIES.get(model, ()):
        _upsert(summary, rows)
    table = model.__table__
    keys = [c.name for c in table.primary_key.columns]
    merged: Counter = Counter()
    for row in rows:
        merged[tuple(row[k] for k in keys)] += row["count"]
    values = [
        {**dict(zip(keys, key, strict=True)), "count": n}
        for key, n in sorted(merged.items())
        if n  # what a rectification leaves as it was
    ]
    if not values:
        return
    dialect = db.session.get_bind().dialect.name
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = upsert(table)
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_={"count": table.c.count + statement.excluded["count"]}
    )
    # An executemany of the one-row statement, in the rows' order, whether a record's few
    # rows or a recount's thousands: its compiled form is cached, where a multi-row VALUES
    # is compiled again for every call (SQLAlchemy does not cache those; on every append,
    # that compilation cost more than the rest of the indicators' work).
    with db.session.no_autoflush:
        for start in range(0, len(values), CHUNK):
            db.session.execute(statement, values[start : start + CHUNK])


def groups_of(ids: Iterable[int] | None = None, *, lock: bool = False) -> dict[int, Group]:
    """The groups of structures (all of them for ``None``), as the database holds them;
    ``lock``: read ``FOR SHARE`` on PostgreSQL (a change of group waits for the write)."""
    query = select(Structure.id, Structure.department, Structure.type, Structure.is_cep_operator)
    if ids is not None:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        query = query.where(Structure.id.in_(wanted)).order_by(Structure.id)
    if lock:
        query = query.with_for_update(read=True)
    return {i: (dep, type_, bool(cep)) for i, dep, type_, cep in db.session.execute(query)}


def _ids_in(model, rows: Iterable[dict]) -> set[int]:
    return {row[name] for row in rows for name in BY_ID[model] if row[name] is not None}


def _grouped(model, rows: Iterable[dict], groups: dict[int, Group]) -> Iterator[dict]:
    """The rows with each structure id replaced by its group's columns (a row naming a
    structure without a group is not counted, as the records' count joins them)."""
    by_id = BY_ID[model]
    for row in rows:
        out = {k: v for k, v in row.items() if k not in by_id}
        for name, columns in by_id.items():
            group = groups.get(row[name])
            if group is None:
                break
            out.update(zip(columns, group if len(columns) == 3 else group[1:2], strict=True))
        else:
            yield out


# ------------------------------------------------------------------ rebuild


def rebuild(first: str | None = None, last: str | None = None) -> dict[str, int]:
    """Recompute the counts of the months ``first`` to ``last`` (``YYYY-MM``, inclusive;
    ``None``: since, or until, the records' first or last month) from the records.

    On PostgreSQL the count tables are locked (writes wait, reads do not) until the
    transaction ends, so that no record written meanwhile is counted twice or missed.
    Flushes, never commits. Returns the rows written, by table.
    """
    db.session.flush()
    if db.session.get_bind().dialect.name == "postgresql":
        names = ", ".join(model.__tablename__ for model in TABLES)
        db.session.execute(text(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE"))
    for model in TABLES:
        db.session.execute(
            delete(model).where(*_months(model.month, first, last)),
            execution_options={"synchronize_session": False},
        )
    written = {
        ReceptionCount.__tablename__: _rebuild_receptions(first, last),
        ReferralCount.__tablename__: _insert(ReferralCount, _referral_rows(first, last)),
        ReferralDelay.__tablename__: _insert(ReferralDelay, _delay_rows(first, last)),
    }
    for model, summaries in SUMMARIES.items():
        for summary in summaries:
            written[summary.__tablename__] = _sum_into(summary, model, first, last)
    db.session.expire_all()
    log.info("indicators rebuilt from %s to %s: %s", first, last, written)
    return written


def _months(column, first: str | None, last: str | None) -> list:
    out = []
    if first is not None:
        out.append(column >= first)
    if last is not None:
        out.append(column <= last)
    return out


def _rebuild_receptions(first: str | None, last: str | None) -> int:
    """One ``INSERT ... SELECT`` of the four margins, grouped by the database."""
    margins = _reception_margins(first, last).subquery()
    group = (Structure.department, Structure.type, Structure.is_cep_operator)
    keys = (margins.c.month, *group, margins.c.dimension, margins.c.value)
    everything = (
        select(*keys, func.sum(margins.c.count))
        .select_from(margins)
        .join(Structure, Structure.id == margins.c.structure_id)
        .group_by(*keys)
    )
    columns = ["month", *GROUP_COLUMNS, "dimension", "value", "count"]
    db.session.execute(insert(ReceptionCount).from_select(columns, everything))
    _count_rectified(first, last)
    return (
        db.session.scalar(
            select(func.count())
            .select_from(ReceptionCount)
            .where(*_months(ReceptionCount.month, first, last))
        )
        or 0
    )


def _sum_into(summary, model, first: str | None, last: str | None) -> int:
    """Fill ``summary`` with the sums of ``model``'s rows over the columns it lacks."""
    keys = [c.name for c in summary.__table__.primary_key.columns]
    source = model.__table__.c
    db.session.execute(
        insert(summary).from_select(
            [*keys, "count"],
            select(*(source[k] for k in keys), func.sum(source.count))
            .where(*_months(source.month, first, last))
            .group_by(*(source[k] for k in keys)),
        )
    )
    return (
        db.session.scalar(
            select(func.count()).select_from(summary).where(*_months(summary.month, first, last))
        )
        or 0
    )


def _reception_margins(first: str | None, last: str | None, structures: list[int] | None = None):
    """The four margins of the receptions by month and structure id (``structure_id``):
    those of the months ``first`` to ``last``, at ``structures`` (``None``: every one)."""
    postgres = db.session.get_bind().dialect.name == "postgresql"
    month = (
        func.to_char(Reception.date, "YYYY-MM")
        if postgres
        else func.strftime("%Y-%m", Reception.date)
    ).label("month")
    where: list = [Reception.issuer_structure_id.is_not(None)]
    if structures is not None:
        where.append(Reception.issuer_structure_id.in_(structures))
    start, end = month_bounds(first, last)
    if start is not None:
        where.append(Reception.date >= start)
    if end is not None:
        where.append(Reception.date <= end)
    # The corrected ones are counted below: a withdrawn one not at all, a rectified one
    # with its new values.
    where.append(_uncorrected(Reception, *(action.value for action in CorrectionAction)))
    anonymous = case((Reception.passport_id.is_(None), "yes"), else_="no")
    if postgres:
        need = func.jsonb_array_elements_text(Reception.needs).table_valued("value")
    else:
        need = func.json_each(Reception.needs).table_valued("value")

    def margin(dimension: str, value, *joins):
        query = select(
            month,
            Reception.issuer_structure_id.label("structure_id"),
            cast(literal(dimension, String), String).label("dimension"),
            cast(value, String).label("value"),
            func.count().label("count"),
        ).select_from(Reception)
        for target in joins:
            query = query.join(target, true())
        return query.where(*where).group_by(month, Reception.issuer_structure_id, value)

    return union_all(
        margin("channel", Reception.channel),
        margin("situation", func.coalesce(Reception.situation, "")),
        margin("anonymous", anonymous),
        margin("need", need.c.value, need),
    )


def _uncorrected(model, *actions: str):
    """No correction with one of ``actions`` names the row (``NOT EXISTS``, both databases)."""
    correction = aliased(Correction)  # not correlated to a query that joins corrections
    return ~exists().where(
        correction.target_kind == model.kind,
        correction.target_id == model.id,
        correction.action.in_(actions),
    )


def rectified_receptions() -> list[Rectified]:
    """Every reception rectified and not withdrawn, as it reads now (``Reception.current``).

    A rectification's values are encrypted (``Correction.changes``): SQL cannot count them,
    and a new date may move a reception into or out of any month, so all of them are read.
    Corrections are rare: a few per thousand records.
    """
    rows = db.session.execute(
        select(Reception, Correction)
        .join(
            Correction,
            and_(
                Correction.target_kind == Reception.kind,
                Correction.target_id == Reception.id,
                Correction.action == CorrectionAction.RECTIFY.value,
            ),
        )
        .where(
            Reception.issuer_structure_id.is_not(None),
            _uncorrected(Reception, CorrectionAction.WITHDRAW.value),
        )
        .order_by(Reception.id)
    )
    return [Rectified(reception, correction.changes) for reception, correction in rows]


def _count_rectified(first: str | None, last: str | None) -> None:
    """Add the rectified receptions whose (new) month is rebuilt, with their new values."""
    within = [
        row
        for reception in rectified_receptions()
        for row in _reception_rows(reception, 1)
        if (first is None or row["month"] >= first) and (last is None or row["month"] <= last)
    ]
    for start in range(0, len(within), CHUNK // 10):
        _add(ReceptionCount, within[start : start + CHUNK // 10])


def _referral_rows(
    first: str | None, last: str | None, structures: list[int] | None = None
) -> Iterator[dict]:
    """Referrals sent from ``first`` to ``last`` (by or to ``structures``: ``None``, every
    one), by month, sender id, receiver id, status and reason."""
    declined = aliased(ReferralEvent)
    query = (
        select(
            Referral.created_at,
            Referral.issuer_structure_id,
            Referral.to_structure_id,
            Referral.status,
            declined.reason,
        )
        .outerjoin(
            declined, and_(declined.referral_id == Referral.id, declined.status == "declined")
        )
        .where(
            Referral.issuer_structure_id.is_not(None),
            _uncorrected(Referral, CorrectionAction.WITHDRAW.value),
            *_sent_within(first, last),
        )
    )
    if structures is not None:
        query = query.where(
            or_(
                Referral.issuer_structure_id.in_(structures),
                Referral.to_structure_id.in_(structures),
            )
        )
    counts: Counter = Counter()
    for sent, sender, receiver, status, reason in _stream(query):
        counts[(month_of(sent), sender, receiver, status, reason or "")] += 1
    for (month, sender, receiver, status, reason), n in counts.items():
        yield {
            "month": month,
            "sender_id": sender,
            "receiver_id": receiver,
            "status": status,
            "reason": reason,
            "count": n,
        }


def _delay_rows(
    first: str | None, last: str | None, structures: list[int] | None = None
) -> Iterator[dict]:
    """Delays of the referrals sent from ``first`` to ``last`` (by ``structures``: ``None``,
    every one), by month, sender id, status and whole hours."""
    query = (
        select(
            Referral.created_at,
            Referral.issuer_structure_id,
            ReferralEvent.status,
            ReferralEvent.created_at,
        )
        .join(ReferralEvent, ReferralEvent.referral_id == Referral.id)
        .where(
            ReferralEvent.status.in_(DELAY_STATUSES),
            Referral.issuer_structure_id.is_not(None),
            _uncorrected(Referral, CorrectionAction.WITHDRAW.value),
            *_sent_within(first, last),
        )
    )
    if structures is not None:
        query = query.where(Referral.issuer_structure_id.in_(structures))
    counts: Counter = Counter()
    for sent, sender, status, reached in _stream(query):
        counts[(month_of(sent), sender, status, delay_hours(sent, reached))] += 1
    for (month, sender, status, hours), n in counts.items():
        yield {"month": month, "sender_id": sender, "status": status, "hours": hours, "count": n}


def _sent_within(first: str | None, last: str | None) -> list:
    """Referrals sent from the first instant of ``first`` to the last of ``last`` (French time)."""
    low, high = month_instants(first, last)
    out = []
    if low is not None:
        out.append(Referral.created_at >= low)
    if high is not None:
        out.append(Referral.created_at < high)
    return out


def _stream(query) -> Iterator:
    result = db.session.execute(query.execution_options(yield_per=CHUNK))
    for partition in result.partitions():
        yield from partition


def _insert(model, rows: Iterable[dict]) -> int:
    """Insert rows keyed by structure ids, merged by group (the groups as they are now)."""
    keys = [c.name for c in model.__table__.primary_key.columns]
    merged: Counter = Counter()
    for row in _grouped(model, rows, groups_of()):
        merged[tuple(row[k] for k in keys)] += row["count"]
    written, chunk = 0, []
    for key, n in merged.items():
        chunk.append({**dict(zip(keys, key, strict=True)), "count": n})
        if len(chunk) == CHUNK:
            db.session.execute(insert(model), chunk)
            written, chunk = written + len(chunk), []
    if chunk:
        db.session.execute(insert(model), chunk)
        written += len(chunk)
    return written


# ------------------------------------------------------------------ a structure's group changes


def recount_structures(before: dict[int, Group]) -> None:
    """Move the records of structures from their group ``before`` (by structure id) to the
    group the database now holds, every month at once, in the current transaction.

    Called on the flush of a change of department, type or CEP flag (``init_app``): the
    records of these structures, counted until now under their old group (as senders,
    receivers and receiving structures), count under the new one.
    """
    if not before:
        return
    ids = sorted(before)
    with db.session.no_autoflush:
        found: dict[type, list[dict]] = {
            ReceptionCount: [
                *(
                    dict(row._mapping)
                    for row in db.session.execute(_reception_margins(None, None, ids))
                ),
                *(  # counted with their new values, as in a rebuild
                    row
                    for reception in rectified_receptions()
                    if reception.issuer_structure_id in before
                    for row in _reception_rows(reception, 1)
                ),
            ],
            ReferralCount: list(_referral_rows(None, None, ids)),
            ReferralDelay: list(_delay_rows(None, None, ids)),
        }
        for model, rows in found.items():
            now = groups_of(_ids_in(model, rows))
            then = {**now, **before}
            gone = ({**row, "count": -row["count"]} for row in rows)
            _upsert(model, [*_grouped(model, gone, then), *_grouped(model, rows, now)])
    log.info("indicators: structures %s recounted in their new groups", ids)


_BEFORE = "indicators_groups_before"


def _groups_before_flush(session, flush_context, instances) -> None:
    """Before a flush that changes structures' groups: their groups as the database holds
    them (what their records were counted under)."""
    changed = [
        obj.id
        for obj in session.dirty
        if isinstance(obj, Structure)
        and obj.id is not None
        and any(
            inspect(obj).attrs[name].history.has_changes()
            for name in ("department", "type", "is_cep_operator")
        )
    ]
    session.info[_BEFORE] = groups_of(changed) if changed else {}


def _recount_after_flush(session, flush_context) -> None:
    before = session.info.pop(_BEFORE, None)
    if not before:
        return
    now = groups_of(before)
    recount_structures({i: group for i, group in before.items() if now.get(i) != group})


def init_app(app) -> None:
    """Hook the session's flushes once (the scoped session is shared by every app)."""
    if not event.contains(db.session, "before_flush", _groups_before_flush):
        event.listen(db.session, "before_flush", _groups_before_flush)
        event.listen(db.session, "after_flush", _recount_after_flush)
