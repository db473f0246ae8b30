"""The schema at national scale (issue 12), read from the metadata: every table that belongs to
a passport carries ``passport_id`` (the distribution column of docs/SCALING.md) and an index
that starts with it; a passport read uses those indexes, never a scan of every passport."""

from __future__ import annotations

import re

import pytest

import passport.models  # noqa: F401  (every table in the metadata)
from passport.db import Base
from passport.extensions import db
from passport.passports.loading import SECTION_MODELS, _plan

#: Tables that reach a passport through a foreign key but do not carry ``passport_id`` yet,
#: and why (docs/SCALING.md says how they get it). Remove an entry once it is done.
NOT_YET = {
    "notifications": "owned by its user; reaches the passport through its visit",
}


def _owned() -> set[str]:
    """Tables with a foreign-key path to ``passports`` (the passport's own data)."""
    tables = Base.metadata.sorted_tables
    owned = {"passports"}
    while True:
        more = {t.name for t in tables if {fk.column.table.name for fk in t.foreign_keys} & owned}
        if more <= owned:
            return owned - {"passports"}
        owned |= more


def _leading_columns(table) -> list[tuple[str, ...]]:
    indexes = [tuple(c.name for c in i.columns) for i in table.indexes]
    indexes += [
        tuple(c.name for c in u.columns)
        for u in table.constraints
        if u.__class__.__name__ in ("UniqueConstraint", "PrimaryKeyConstraint")
    ]
    return indexes


def test_every_passport_table_carries_passport_id_and_an_index_on_it():
    owned = _owned()
    assert {"receptions", "referrals", "referral_events", "trainings", "cpf_statements"} <= owned
    assert {"share_links", "access_log", "idempotent_requests"} <= owned
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    missing = sorted(n for n in owned if "passport_id" not in tables[n].c and n not in NOT_YET)
    assert missing == []
    for name in owned - set(NOT_YET):
        leading = [cols[0] for cols in _leading_columns(tables[name])]
        assert "passport_id" in leading, f"{name}: no index starts with passport_id"
    done = sorted(n for n in NOT_YET if "passport_id" in tables[n].c)
    assert done == [], "remove them from NOT_YET"


def test_current_versions_are_indexed_by_passport():
    for model in (*SECTION_MODELS["trainings"], *SECTION_MODELS["cpf"]):
        assert ("passport_id", "superseded") in _leading_columns(model.__table__)


def test_a_passport_read_searches_each_table_by_passport(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the plan is SQLite's (PostgreSQL plans from its statistics)")
        models = tuple(m for ms in SECTION_MODELS.values() for m in ms)
        sql = str(_plan(models).statement.compile(db.engine))
        rows = db.session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + sql, (1,) * sql.count("?")
        )
        plan = [row[3] for row in rows]
    searched = [line for line in plan if re.match(r"(SEARCH|SCAN) (?!ia|si|st)\w+", line)]
    assert len(searched) == len(models), plan
    for line in searched:
        assert re.match(r"SEARCH \w+ USING INDEX \w*passport_id\w* \(passport_id=\?", line), plan
