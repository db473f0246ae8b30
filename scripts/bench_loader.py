"""Time (and optionally profile) the read of one big passport, in process (not a test).

    .venv/bin/python scripts/bench_loader.py                      # SQLite in a temp folder
    .venv/bin/python scripts/bench_loader.py --url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python scripts/bench_loader.py --profile            # pyinstrument, if installed

A scratch database (a new PostgreSQL database, dropped afterwards, or an SQLite file) gets
two structures and one holder whose passport holds about ``--records`` records of every kind
(receptions, referrals with their status changes, trainings, CPF statements), written through
``passport.records`` like any other. Then ``load_view`` + ``passport_json`` (what
``GET /api/v1/me/passport`` does after authentication) runs ``--runs`` times on a fresh
session each time; the script prints the median and the fastest run, and the median CPU time
of this process (what a shared machine's load does not inflate; the database server's own
time on PostgreSQL is not in it).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import TestingConfig  # noqa: E402
from passport import create_app  # noqa: E402
from passport.extensions import db  # noqa: E402


def fill(records: int) -> int:
    """Structures, a holder and a passport of about ``records`` records; its id."""
    from passport.accounts import services as accounts
    from passport.passports import services as passports
    from passport.records import services as write
    from passport.structures import services as structures

    ml = structures.add_structure("ML28", "Mission locale de Dreux", "ML", "28")
    cap = structures.add_structure("CAP28", "Cap emploi 28", "CAP", "28")
    advisor = accounts.create_user("a@bench.invalid", "x" * 16, "Camille Roux", "advisor", ml)
    holder = accounts.register_individual("h@bench.invalid", "x" * 16, "Léa Martin")
    passport = passports.passport_of(holder)
    db.session.flush()
    day = date(2024, 1, 1)
    written = 0
    while written < records:
        day += timedelta(days=1)
        write.record_reception(
            ml,
            passport.id,
            date=day,
            channel="in_person",
            needs=["job_search", "vae"],
            advisor=advisor,
            summary="Cherche une formation qualifiante ; financement à étudier.",
        )
        referral = write.send_referral(
            ml, passport.id, cap, needs=["job_search"], message="Merci.", advisor=advisor
        )
        write.change_referral_status(referral, cap, "received")
        write.attest_training(ml, passport.id, title="CACES R489", status="completed", hours=35)
        write.declare_cpf(passport, as_of=day, balance_eur=1200)
        written += 5
    db.session.commit()
    return passport.id


def read(passport_id: int) -> int:
    from passport.api.serializers import passport_json
    from passport.passports.models import Passport
    from passport.passports.services import load_view

    passport = db.session.get_one(Passport, passport_id)
    body = passport_json(load_view(passport))
    return sum(len(v) for v in body.values() if isinstance(v, list))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--records", type=int, default=500)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="profile one run (pyinstrument)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-loader-"))
    admin = name = None
    if args.url:
        admin = create_engine(make_url(args.url), isolation_level="AUTOCOMMIT")
        name = f"bench_loader_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(args.url).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{folder / 'loader.sqlite3'}"
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": url, "MAIL_OUTBOX": str(folder)})
    try:
        with app.app_context():
            db.create_all()
            passport_id = fill(args.records)
            db.session.remove()
            times, cpu = [], []
            for _ in range(args.runs):
                started, started_cpu = time.perf_counter(), time.process_time()
                with app.app_context():
                    shown = read(passport_id)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            print(
                f"{shown} records shown over {args.runs} runs: elapsed median "
                f"{statistics.median(times):.1f} ms (fastest {min(times):.1f} ms); "
                f"CPU of this process median {statistics.median(cpu):.1f} ms"
            )
            if args.profile:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0005)
                with app.app_context():
                    profiler.start()
                    read(passport_id)
                    profiler.stop()
                print(profiler.output_text(unicode=True, color=False, show_all=False))
            db.engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
