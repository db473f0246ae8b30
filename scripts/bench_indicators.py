"""Benchmark of the indicators (not a test): p95 of one year's answer at the scale of a region.

    .venv/bin/python scripts/bench_indicators.py sqlite:////tmp/indicators-bench.db
    .venv/bin/python scripts/bench_indicators.py postgresql+psycopg://postgres@127.0.0.1:5432/indicators_bench

The database given must be a scratch one: the script creates it (PostgreSQL) or the file
(SQLite), creates the tables, fills them by bulk insert (COPY on PostgreSQL) with 2,000,000
receptions and 200,000 referrals over two years, unless it is already filled, counts them
into the monthly tables (``flask indicators rebuild``) unless they are already counted, then
times ``indicators()`` for the last full year (the region, one department, one structure
type) and prints the median and 95th percentile, with the monthly rows a year holds.
``--receptions``/``--referrals`` change the scale; ``--rebuild`` recounts anyway.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import create_engine, func, text
from sqlalchemy.engine import make_url

START = date(2025, 1, 1)
DAYS = 730
DEPARTMENTS = ["18", "28", "36", "37", "41", "45"]
NEEDS = [
    "summer_job", "job_search", "training_search", "training_funding", "orientation",
    "career_change", "apprenticeship", "vae", "business_creation", "mobility",
    "housing_health", "other",
]  # fmt: skip
NEED_WEIGHTS = [3, 10, 8, 4, 9, 5, 4, 2, 2, 3, 2, 1]
CHANNELS = ["in_person", "phone", "online"]
SITUATIONS = [None, "employee", "jobseeker", "self_employed", "public_agent", "student", "other"]
STATUSES = ["sent", "received", "appointment", "completed", "declined"]
REASONS = ["not_eligible", "no_capacity", "unreachable", "declined_by_person",
           "wrong_structure", "duplicate", "other"]  # fmt: skip
REASON_WEIGHTS = [5, 4, 3, 3, 2, 1, 1]


def prepare_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
            )
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
        admin.dispose()


def seed(app, receptions: int, referrals: int) -> None:
    from passport.extensions import db
    from passport.passports.models import Reception, Referral, ReferralEvent
    from passport.structures import services as structures
    from passport.structures.models import STRUCTURE_TYPES

    rng = random.Random(2026)
    with app.app_context():
        db.create_all()
        if db.session.scalar(db.select(func.count()).select_from(Reception)):
            print("already seeded", file=sys.stderr)
            return
        started = time.perf_counter()
        types = list(STRUCTURE_TYPES)
        ids = []
        for i in range(240):
            s = structures.add_structure(
                f"B{i:03d}", f"Structure {i}", types[i % len(types)], DEPARTMENTS[i % 6]
            )
            ids.append(s)
        db.session.commit()
        ids = [s.id for s in ids]
        now = datetime.now(UTC)

        def reception_rows():
            for _ in range(receptions):
                day = START + timedelta(days=rng.randrange(DAYS))
                k = rng.choice((1, 1, 1, 2, 2, 3))
                needs = sorted(set(rng.choices(NEEDS, NEED_WEIGHTS, k=k)))
                yield {
                    "date": day,
                    "channel": rng.choice(CHANNELS),
                    "situation": rng.choice(SITUATIONS),
                    "needs": needs,
                    "issuer_structure_id": rng.choice(ids),
                    "passport_id": None,
                    "created_at": now,
                }

        _bulk(db, Reception.__table__, reception_rows(), ["date", "channel", "situation",
              "needs", "issuer_structure_id", "passport_id", "created_at"])  # fmt: skip
        print(f"receptions: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        events = []

        def referral_rows():
            for i in range(1, referrals + 1):
                sent = datetime.combine(
                    START + timedelta(days=rng.randrange(DAYS)), datetime.min.time(), UTC
                ) + timedelta(hours=rng.randrange(8, 18))
                status = rng.choices(STATUSES, [2, 2, 2, 3, 1])[0]
                last = sent
                if status != "sent" and (status != "declined" or rng.random() < 0.5):
                    last = sent + timedelta(hours=rng.randrange(1, 24 * 12))
                    events.append((i, "received", last, None))
                    if status in ("appointment", "completed"):
                        last += timedelta(hours=rng.randrange(1, 24 * 20))
                        events.append((i, "appointment", last, None))
                if status in ("completed", "declined"):
                    last += timedelta(hours=rng.randrange(1, 24 * 30))
                    reason = (
                        rng.choices(REASONS, REASON_WEIGHTS)[0] if status == "declined" else None
                    )
                    events.append((i, status, last, reason))
                yield {
                    "id": i,
                    "issuer_structure_id": rng.choice(ids),
                    "to_structure_id": rng.choice(ids),
                    "needs": [rng.choice(NEEDS)],
                    "status": status,
                    "status_changed_at": sent,
                    "created_at": sent,
                    "passport_id": None,
                }

        _bulk(db, Referral.__table__, referral_rows(), ["id", "issuer_structure_id",
              "to_structure_id", "needs", "status", "status_changed_at", "created_at",
              "passport_id"])  # fmt: skip
        _bulk(
            db,
            ReferralEvent.__table__,
            (
                {"referral_id": r, "status": s, "created_at": at, "reason": why}
                for r, s, at, why in events
            ),
            ["referral_id", "status", "created_at", "reason"],
        )
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("SELECT setval('referrals_id_seq', :n)"), {"n": referrals})
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM ANALYZE"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        print(f"seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def _bulk(db, table, rows, columns, batch=20_000) -> None:
    """Insert rows fast: COPY on PostgreSQL, executemany in big transactions on SQLite."""
    if db.engine.dialect.name == "postgresql":
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            with cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(
                        [json.dumps(row[c]) if c == "needs" else row[c] for c in columns]
                    )
            raw.commit()
        finally:
            raw.close()
        return
    # Our own table and column names (the model's), never input: the values are bound.
    placeholders = ", ".join("?" * len(columns))
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        chunk = []
        for row in rows:
            chunk.append(tuple(_sqlite_value(c, row[c]) for c in columns))
            if len(chunk) == batch:
                cur.executemany(sql, chunk)
                chunk = []
        if chunk:
            cur.executemany(sql, chunk)
        raw.commit()
    finally:
        raw.close()


def _sqlite_value(column, value):
    """What the app's column types store on SQLite (JSON text, naive UTC, ISO dates)."""
    if column == "needs":
        return json.dumps(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def count(app, force: bool) -> None:
    """Fill the monthly counts from the records, as ``flask indicators rebuild`` does."""
    from passport.extensions import db
    from passport.indicators import aggregates
    from passport.indicators.models import ReceptionCount

    with app.app_context():
        db.create_all()
        if not force and db.session.scalar(db.select(func.count()).select_from(ReceptionCount)):
            return
        started = time.perf_counter()
        written = aggregates.rebuild()
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM ANALYZE"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        print(f"rebuilt in {time.perf_counter() - started:.0f} s: {written}", file=sys.stderr)


def year_rows(app) -> dict:
    """How many monthly rows one year's answer reads, by table."""
    from passport.extensions import db
    from passport.indicators.aggregates import TABLES

    with app.app_context():
        return {
            model.__tablename__: db.session.scalar(
                db.select(func.count()).select_from(model).where(model.month.like("2026-%"))
            )
            for model in TABLES
        }


def measure(app, runs: int) -> dict:
    from passport.extensions import db
    from passport.indicators.periods import Question
    from passport.indicators.services import indicators

    year = Question(date(2026, 1, 1), date(2026, 12, 31))
    questions = {
        "region, one year": year,
        "department 28, one year": Question(year.start, year.end, department="28"),
        "CIO, one year": Question(year.start, year.end, structure_type="CIO"),
    }
    results = {}
    with app.app_context():
        for name, q in questions.items():
            indicators(q)  # warm the caches once
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                indicators(q)
                timings.append((time.perf_counter() - started) * 1000)
                db.session.rollback()
            timings.sort()
            results[name] = {
                "median_ms": round(statistics.median(timings)),
                "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)]),
                "runs": runs,
            }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--receptions", type=int, default=2_000_000)
    parser.add_argument("--referrals", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed-only", action="store_true", help="fill the database, time nothing")
    parser.add_argument("--rebuild", action="store_true", help="recount the monthly tables")
    args = parser.parse_args()
    prepare_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from passport import create_app

    app = create_app()
    seed(app, args.receptions, args.referrals)
    if args.seed_only:
        return
    count(app, args.rebuild)
    print(json.dumps({"rows_in_2026": year_rows(app), **measure(app, args.runs)}, indent=2))


if __name__ == "__main__":
    main()
