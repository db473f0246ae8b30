"""The monthly counts equal the records: kept on write, on erasure, and by a rebuild.

Random histories (hypothesis) go through the one write path (``passport.records``) at
random instants, near the turn of a month in French time included: receptions (with a
passport or anonymous), referrals moved along the workflow (declines with a reason, delays
to the minute), receptions and referrals withdrawn or rectified by their structure (a
reception's date, channel, situation and needs, into another month too), holders erased,
structures moved to another type, department or CEP flag (their records then count in
their new group). Then, for the whole period and narrower questions, the counts read from
the monthly tables equal the counts computed from the records (``raw``), the published
answers are the same, and a rebuild writes the same rows.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passport.accounts.models import User
from passport.db import LOCAL_TZ
from passport.extensions import db
from passport.indicators import aggregates, raw
from passport.indicators.disclosure import protect
from passport.indicators.models import ReceptionCount
from passport.indicators.periods import Question
from passport.indicators.services import answer, indicators, true_table
from passport.passports.models import REFERRAL_TRANSITIONS, DeclineReason, Reception, Referral
from passport.passports.services import passport_of
from passport.records import services as records
from passport.structures.models import Structure
from passport.trust.erasure import erase_holder
from tests import factories
from tests.indicators import world

HOLDERS = 3
WHOLE = Question(date(2026, 1, 1), date(2026, 3, 31))
QUESTIONS = [
    WHOLE,
    replace(WHOLE, end=date(2026, 2, 28)),
    replace(WHOLE, start=date(2026, 2, 1), end=date(2026, 2, 28)),
    replace(WHOLE, department="45"),
    replace(WHOLE, structure_type="CIO"),
]
REASONS = [r.value for r in DeclineReason]

# Local instants in and around the three months: the first and last hours of a month too.
instants = st.builds(
    lambda month, day, hour, minute: datetime.combine(
        date(2025 + (month + 11) // 12, (month + 11) % 12 + 1, 1) + timedelta(days=day),
        time(hour, minute),
        LOCAL_TZ,
    ),
    st.integers(0, 4),  # December 2025 to April 2026
    st.sampled_from([0, 14, 27, 28, 29, 30]),
    st.sampled_from([0, 1, 10, 22, 23]),
    st.integers(0, 59),
)


def _receptions(holders):
    return st.tuples(
        st.just("reception"),
        st.integers(0, 3),  # structure
        instants,
        st.sampled_from(["in_person", "phone", "online"]),
        st.lists(st.sampled_from(["summer_job", "vae", "mobility", "other"]), max_size=3),
        st.sampled_from([None, "student", "jobseeker"]),
        holders,
    )


receptions = _receptions(st.one_of(st.none(), st.integers(0, HOLDERS - 1)))  # None: anonymous
held_receptions = _receptions(st.integers(0, HOLDERS - 1))  # a structure may correct them
referrals = st.tuples(
    st.just("referral"),
    st.integers(0, 3),
    st.integers(1, 3),  # the receiver is this many places further in the list
    st.integers(0, HOLDERS - 1),
    instants,
)
moves = st.tuples(
    st.just("move"),
    st.integers(0, 30),  # which referral (modulo how many were sent)
    st.integers(0, 3),  # which allowed next status (modulo how many there are)
    st.integers(0, 30 * 24 * 60),  # minutes after the referral's latest step
    st.sampled_from(REASONS),
)
erasures = st.tuples(st.just("erase"), st.integers(0, HOLDERS - 1))
edits = st.tuples(
    st.just("edit"),
    st.integers(0, 3),
    st.sampled_from(["ML", "CIO", "CAP"]),
    st.sampled_from(["28", "45"]),
    st.booleans(),
)
withdrawals = st.tuples(
    st.just("withdraw"),
    st.sampled_from(["reception", "referral"]),
    st.integers(0, 30),  # which record of that kind (modulo how many were written)
)
rectifications = st.tuples(
    st.just("rectify"),
    st.sampled_from(["reception", "referral"]),
    st.integers(0, 30),
    st.fixed_dictionaries(
        {"date": instants.map(lambda at: at.date())},  # so that most of them change something
        optional={
            "channel": st.sampled_from(["in_person", "phone", "online"]),
            "situation": st.sampled_from([None, "student", "employee"]),
            "needs": st.lists(st.sampled_from(["summer_job", "vae", "orientation"]), max_size=3),
        },
    ),
)
histories = st.lists(
    st.one_of(
        receptions,
        receptions,
        referrals,
        referrals,
        moves,
        moves,
        moves,
        erasures,
        withdrawals,
        withdrawals,
        rectifications,
        rectifications,
        edits,
    ),
    max_size=30,
)
#: What a correction of the history may be refused for (already withdrawn, nothing changes,
#: the passport erased): the history goes on.
REFUSED = (records.AlreadyCorrected, records.InvalidCorrection, records.NotEditable)
#: The groups of ``world.network()``'s structures (type, department, CEP operator).
GROUPS = [("ML", "28", True), ("CIO", "28", False), ("CAP", "45", True), ("CIO", "45", False)]


@pytest.fixture
def structures(ctx):
    return world.network()


@pytest.fixture
def structure_ids(structures):
    return [s.id for s in structures]


def _play(ids, history) -> None:
    world.wipe()
    structures = [db.session.get(Structure, i) for i in ids]
    for structure, group in zip(structures, GROUPS, strict=True):  # an example's edits undone
        structure.type, structure.department, structure.is_cep_operator = group
    holders = [factories.holder().id for _ in range(HOLDERS)]
    passports: list[int | None] = [passport_of(db.session.get(User, h)).id for h in holders]
    db.session.commit()
    sent: list[tuple[int, datetime]] = []
    written: dict[str, list[tuple[int, int]]] = {"reception": [], "referral": []}
    for op in history:
        if op[0] == "reception":
            _, s, at, channel, needs, situation, who = op
            passport = None if who is None else passports[who]
            with time_machine.travel(at, tick=False):
                reception = records.record_reception(
                    structures[s],
                    passport,
                    date=at.date(),
                    channel=channel,
                    needs=needs,
                    situation=situation,
                )
            if passport is not None:  # an anonymous reception cannot be corrected
                written["reception"].append((reception.id, s))
        elif op[0] == "referral":
            _, s, step, who, at = op
            if passports[who] is None:
                continue
            with time_machine.travel(at, tick=False):
                referral = records.send_referral(
                    structures[s], passports[who], structures[(s + step) % 4], needs=["vae"]
                )
            sent.append((referral.id, at))
            written["referral"].append((referral.id, s))
        elif op[0] == "move" and sent:
            _, k, choice, minutes, reason = op
            referral_id, latest = sent[k % len(sent)]
            referral = db.session.get(Referral, referral_id)
            if referral is None:  # withdrawn, then deleted with its erased passport
                continue
            allowed = sorted(REFERRAL_TRANSITIONS[referral.status])
            if not allowed:
                continue
            status = allowed[choice % len(allowed)]
            at = latest + timedelta(minutes=minutes)
            receiver = db.session.get(Structure, referral.to_structure_id)
            try:
                with time_machine.travel(at, tick=False):
                    records.change_referral_status(
                        referral,
                        receiver,
                        status,
                        appointment=records.Appointment(at=at + timedelta(days=2))
                        if status == "appointment"
                        else None,
                        reason=reason if status == "declined" else None,
                    )
            except records.WorkflowError:  # withdrawn by its sender
                continue
            sent[k % len(sent)] = (referral_id, at)
        elif op[0] == "edit":
            _, s, type_, department, cep = op
            structures[s].type, structures[s].department = type_, department
            structures[s].is_cep_operator = cep
        elif op[0] in ("withdraw", "rectify") and written[op[1]]:
            kind, k = op[1], op[2]
            record_id, s = written[kind][k % len(written[kind])]
            record = db.session.get(records.CORRECTABLE_MODELS[kind], record_id)
            if record is None:
                continue
            changes = None
            if op[0] == "rectify":
                changes = (
                    op[3] if kind == "reception" else {"needs": op[3].get("needs") or ["other"]}
                )
            try:
                records.correct_record(
                    structures[s], record, action=op[0], reason="Erreur", changes=changes
                )
            except REFUSED:
                db.session.rollback()
        elif op[0] == "erase" and passports[op[1]] is not None:
            erase_holder(holders[op[1]])
            passports[op[1]] = None
            structures = [db.session.get(Structure, i) for i in ids]  # the erasure expunged
        db.session.commit()


def _rows() -> dict:
    """Every non-zero monthly count, by table and key."""
    out = {}
    for model in aggregates.TABLES:
        keys = [c.name for c in model.__table__.primary_key.columns]
        out[model.__tablename__] = {
            tuple(getattr(row, k) for k in keys): row.count
            for row in db.session.execute(db.select(model)).scalars()
            if row.count
        }
    return out


def _assert_counts_match_records() -> None:
    for q in QUESTIONS:
        assert raw.differences(q) == [], q
        table, counts = true_table(q, from_records=True)
        assert indicators(q) == answer(q, protect(table), counts)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    histories,
    st.lists(st.one_of(held_receptions, held_receptions, referrals, moves), min_size=1, max_size=6),
    st.lists(st.one_of(withdrawals, rectifications, rectifications), min_size=1, max_size=6),
)
def test_the_monthly_counts_equal_the_records(structure_ids, history, more, corrections):
    # Corrections come anywhere in the history, and more of them at its end, after a few
    # more records to correct.
    _play(structure_ids, history + more + corrections)
    _assert_counts_match_records()
    kept = _rows()
    aggregates.rebuild()
    db.session.commit()
    assert _rows() == kept
    _assert_counts_match_records()


def test_a_known_history_gives_known_counts(structures):
    """A reception at 00:30 on 1 February (French time) counts in February, a referral
    sent at 23:30 on 31 January in January; delays are counted in whole hours."""
    ml, cio = structures[0], structures[1]
    holder = factories.holder()
    passport = passport_of(holder).id
    night = datetime(2026, 1, 31, 23, 30, tzinfo=LOCAL_TZ)
    with time_machine.travel(night, tick=False):
        referral = records.send_referral(ml, passport, cio, needs=["vae"])
    records.record_reception(ml, passport, date=date(2026, 2, 1), channel="phone", needs=["vae"])
    for status, hours in (("received", 49.9), ("declined", 100)):
        with time_machine.travel(night + timedelta(hours=hours), tick=False):
            records.change_referral_status(
                referral,
                cio,
                status,
                reason="no_capacity" if status == "declined" else None,
            )
    db.session.commit()
    rows = _rows()
    group = ("28", "ML", True)  # ml's department, type and CEP flag
    assert rows["indicator_referral_groups"] == {
        ("2026-01", *group, "CIO", "declined", "no_capacity"): 1
    }
    assert rows["indicator_delay_groups"] == {("2026-01", *group, "received", 49): 1}
    assert rows["indicator_delay_region"] == {("2026-01", True, "received", 49): 1}
    assert rows["indicator_reception_groups"] == {
        ("2026-02", *group, "channel", "phone"): 1,
        ("2026-02", *group, "situation", ""): 1,
        ("2026-02", *group, "anonymous", "no"): 1,
        ("2026-02", *group, "need", "vae"): 1,
    }
    # the erasure keeps the reception, now anonymous, and the referral as it was
    erase_holder(holder.id)
    db.session.commit()
    rows = _rows()
    assert rows["indicator_reception_groups"][("2026-02", *group, "anonymous", "yes")] == 1
    assert ("2026-02", *group, "anonymous", "no") not in rows["indicator_reception_groups"]
    assert rows["indicator_referral_groups"] == {
        ("2026-01", *group, "CIO", "declined", "no_capacity"): 1
    }
    _assert_counts_match_records()


def test_a_rebuild_of_some_months_leaves_the_others(structures):
    ml = structures[0]
    for day in (date(2026, 1, 5), date(2026, 2, 5), date(2026, 3, 5)):
        records.record_reception(ml, None, date=day, channel="online", needs=[])
    db.session.commit()
    db.session.execute(db.delete(ReceptionCount))  # as if the counts had been lost
    aggregates.rebuild("2026-02", "2026-03")
    db.session.commit()
    months = {key[0] for key in _rows()["indicator_reception_groups"]}
    assert months == {"2026-02", "2026-03"}
    assert raw.differences(replace(WHOLE, start=date(2026, 2, 1))) == []
    assert raw.differences(WHOLE) != []


def _history(structures) -> None:
    """A reception at each structure, referrals both ways, a decline and delays."""
    ml, cio, cap, _ = structures
    passport = passport_of(factories.holder()).id
    for s in structures:
        records.record_reception(s, None, date=date(2026, 1, 12), channel="phone", needs=["vae"])
    at = datetime(2026, 1, 12, 10, tzinfo=LOCAL_TZ)
    with time_machine.travel(at, tick=False):
        to_cio = records.send_referral(ml, passport, cio, needs=["vae"])
        to_ml = records.send_referral(cio, passport, ml, needs=["vae"])
        records.send_referral(cap, passport, cio, needs=["vae"])
    with time_machine.travel(at + timedelta(hours=30), tick=False):
        records.change_referral_status(to_cio, cio, "received")
        records.change_referral_status(to_ml, ml, "declined", reason="no_capacity")
    db.session.commit()


def test_an_admin_edit_moves_a_structures_records_to_its_new_group(structures):
    from passport.admin import services as admin

    _history(structures)
    cio = structures[1]
    actor = factories.staff("admin", structures[0])
    admin.update_structure(actor, cio, cio.name, "IJ", "45", True)
    db.session.commit()
    rows = _rows()
    # cio's reception, the referral it sent and the one it received: in its new group
    assert rows["indicator_reception_groups"][("2026-01", "45", "IJ", True, "need", "vae")] == 1
    assert ("2026-01", "28", "CIO", False, "need", "vae") not in rows["indicator_reception_groups"]
    referrals = rows["indicator_referral_groups"]
    assert referrals[("2026-01", "45", "IJ", True, "ML", "declined", "no_capacity")] == 1
    assert referrals[("2026-01", "28", "ML", True, "IJ", "received", "")] == 1
    assert referrals[("2026-01", "45", "CAP", True, "IJ", "sent", "")] == 1
    assert not any(key[4] == "CIO" or key[2] == "CIO" for key in referrals)
    _assert_counts_match_records()
    kept = _rows()
    aggregates.rebuild()
    db.session.commit()
    assert _rows() == kept


def test_a_directory_import_that_changes_a_type_moves_the_records(structures, runner, tmp_path):
    import json

    _history(structures)
    exported = runner.invoke(args=["directory", "export"])
    assert exported.exit_code == 0, exported.output
    data = json.loads(exported.output)
    for record in data["structures"]:
        if record["id"].endswith("ML-28"):
            record["passeport_spro"]["type"] = "MDE"
            record["passeport_spro"]["is_cep_operator"] = False
    path = tmp_path / "directory.json"
    path.write_text(json.dumps(data))
    result = runner.invoke(args=["directory", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 updated" in result.output
    db.session.expire_all()
    assert db.session.get(Structure, structures[0].id).type == "MDE"
    rows = _rows()
    assert rows["indicator_reception_groups"][("2026-01", "28", "MDE", False, "need", "vae")] == 1
    assert not any(key[2] == "ML" for key in rows["indicator_reception_groups"])
    assert not any("ML" in key[2:5] for key in rows["indicator_referral_groups"])
    _assert_counts_match_records()
    check = runner.invoke(args=["indicators", "check", "--from", "2026-01", "--to", "2026-03"])
    assert check.exit_code == 0, check.output


def _correct(structure, record, action, **changes):
    return records.correct_record(
        structure, record, action=action, reason="Erreur de saisie", changes=changes or None
    )


def test_corrections_move_the_counts(structures):
    """A withdrawn reception or referral no longer counts; a rectified reception counts
    with its new values, in its new month; a referral's rectification changes nothing."""
    ml, cio = structures[0], structures[1]
    passport = passport_of(factories.holder()).id
    sent = datetime(2026, 1, 20, 10, tzinfo=LOCAL_TZ)
    with time_machine.travel(sent, tick=False):
        kept = records.send_referral(ml, passport, cio, needs=["vae"])
        gone = records.send_referral(ml, passport, cio, needs=["vae"])
    for referral in (kept, gone):
        with time_machine.travel(sent + timedelta(hours=30), tick=False):
            records.change_referral_status(referral, cio, "received")
    first = records.record_reception(
        ml, passport, date=date(2026, 1, 10), channel="phone", needs=["vae"]
    )
    second = records.record_reception(
        ml, passport, date=date(2026, 1, 11), channel="phone", needs=["vae"]
    )
    db.session.commit()
    _correct(ml, first, "rectify", date=date(2026, 2, 2), channel="online", needs=["mobility"])
    _correct(ml, second, "withdraw")
    _correct(ml, gone, "withdraw")
    _correct(ml, kept, "rectify", needs=["orientation"])
    db.session.commit()
    rows = _rows()
    assert rows["indicator_reception_groups"] == {
        ("2026-02", "28", "ML", True, "channel", "online"): 1,
        ("2026-02", "28", "ML", True, "situation", ""): 1,
        ("2026-02", "28", "ML", True, "anonymous", "no"): 1,
        ("2026-02", "28", "ML", True, "need", "mobility"): 1,
    }
    assert rows["indicator_referral_groups"] == {
        ("2026-01", "28", "ML", True, "CIO", "received", ""): 1
    }
    assert rows["indicator_delay_groups"] == {("2026-01", "28", "ML", True, "received", 30): 1}
    # the rectified reception, withdrawn in turn, goes from its new month
    _correct(ml, first, "withdraw")
    db.session.commit()
    assert _rows()["indicator_reception_groups"] == {}
    _assert_counts_match_records()
    aggregates.rebuild()
    db.session.commit()
    assert _rows()["indicator_reception_groups"] == {}
    assert rows["indicator_referral_groups"] == _rows()["indicator_referral_groups"]
    # a status change of the withdrawn referral is refused: it stays out of the counts
    with pytest.raises(records.WorkflowError):
        records.change_referral_status(gone, cio, "appointment")


def test_a_rebuild_of_some_months_follows_a_rectified_date(structures):
    """A reception rectified from January to March leaves January and joins March, whichever
    months are rebuilt."""
    ml = structures[0]
    passport = passport_of(factories.holder()).id
    moved = records.record_reception(ml, passport, date=date(2026, 1, 5), channel="phone", needs=[])
    records.record_reception(ml, passport, date=date(2026, 1, 6), channel="phone", needs=[])
    db.session.commit()
    _correct(ml, moved, "rectify", date=date(2026, 3, 5))
    db.session.commit()
    kept = _rows()
    for first, last in (("2026-01", "2026-01"), ("2026-03", "2026-03"), ("2026-02", None)):
        aggregates.rebuild(first, last)
        db.session.commit()
        assert _rows() == kept, (first, last)
    totals = {
        key[0]: n for key, n in kept["indicator_reception_groups"].items() if key[4] == "channel"
    }
    assert totals == {"2026-01": 1, "2026-03": 1}
    for month in (1, 3):
        narrow = replace(WHOLE, start=date(2026, month, 1), end=date(2026, month, 28))
        assert raw.differences(narrow) == []
    _assert_counts_match_records()


def test_an_erasure_keeps_what_the_corrections_said(structures):
    """The corrections go with the passport: the withdrawn records go too, the rectified
    ones keep their new values, so the counts stay equal to the records."""
    ml, cio = structures[0], structures[1]
    holder = factories.holder()
    passport = passport_of(holder).id
    rectified = records.record_reception(
        ml, passport, date=date(2026, 1, 5), channel="phone", needs=["vae"]
    )
    withdrawn = records.record_reception(
        ml, passport, date=date(2026, 1, 6), channel="phone", needs=[]
    )
    referral = records.send_referral(ml, passport, cio, needs=["vae"])
    db.session.commit()
    _correct(ml, rectified, "rectify", date=date(2026, 2, 5), needs=["mobility"])
    _correct(ml, withdrawn, "withdraw")
    _correct(ml, referral, "withdraw")
    db.session.commit()
    before = _rows()
    erase_holder(holder.id)
    db.session.commit()
    after = _rows()
    assert after["indicator_referral_groups"] == before["indicator_referral_groups"] == {}
    assert after["indicator_reception_groups"] == {
        ("2026-02", "28", "ML", True, "channel", "phone"): 1,
        ("2026-02", "28", "ML", True, "situation", ""): 1,
        ("2026-02", "28", "ML", True, "anonymous", "yes"): 1,
        ("2026-02", "28", "ML", True, "need", "mobility"): 1,
    }
    left = db.session.execute(db.select(Reception)).scalars().all()
    assert [(r.date, r.needs, r.passport_id) for r in left] == [
        (date(2026, 2, 5), ["mobility"], None)
    ]
    assert db.session.execute(db.select(Referral)).scalars().all() == []
    _assert_counts_match_records()
    aggregates.rebuild()
    db.session.commit()
    assert _rows() == after
