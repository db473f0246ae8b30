"""Ratios of the hot API paths to ``/healthz``, in process (not a test, not ``make bench``).

    .venv/bin/python scripts/bench_requests.py                    # SQLite in a temp folder
    .venv/bin/python scripts/bench_requests.py --url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python scripts/bench_requests.py --profile shared    # cProfile one endpoint

A scratch database (an SQLite file, or a new PostgreSQL database dropped afterwards) gets
two structures, an advisor, a holder whose passport holds about 20 records (receptions,
referrals with a status change, trainings, CPF statements, written through
``passport.records``), a share of every section to the first structure (read and append),
the structure's API key, the holder's and the advisor's tokens (staff must have a second
factor, as ``MFA_REQUIRED_ROLES`` says in production: the advisor has a TOTP). Then the
Flask test client sends, round after round, ``--requests`` requests to each endpoint in
turn: ``/healthz``, the holder's passport, the read through the share by the structure's
key (``shared``) and by its advisor (``shared_adv``), a signed append. The answer is the
ratio of the fastest round of each endpoint to the fastest round of ``/healthz`` (the
fastest round is the one a shared machine's load disturbed least; the endpoints of one
round are seconds apart). The appends go to a second passport (shared for
appends only), so that the read passport keeps its 20 records; they all queue on that one
passport, as in ``make bench``. Ratios only: absolute figures depend on the machine and its
load; compare two versions in the same run. Rate limits are off; jobs go to a SQLite queue
in the temp folder, or to Redis with ``--redis``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import PRODUCTION_MFA_ROLES, TestingConfig  # noqa: E402
from passport import create_app  # noqa: E402
from passport.extensions import db  # noqa: E402

RECEPTION = {"date": "2026-05-20", "channel": "in_person", "needs": ["vae"], "summary": "Texte"}


def fill() -> dict[str, str]:
    """The world of the run; the secrets of the holder, the key and the share."""
    import pyotp

    from passport.accounts import services as accounts
    from passport.mfa import services as mfa
    from passport.passports import services as passports
    from passport.records import services as write
    from passport.sharing import services as sharing
    from passport.structures import services as structures

    ml = structures.add_structure("ML28", "Mission locale de Dreux", "ML", "28")
    cap = structures.add_structure("CAP28", "Cap emploi 28", "CAP", "28")
    advisor = accounts.create_user("a@bench.invalid", "x" * 16, "Camille Roux", "advisor", ml)
    holder = accounts.register_individual("h@bench.invalid", "x" * 16, "Léa Martin")
    passport = passports.passport_of(holder)
    db.session.flush()
    day = date(2026, 1, 5)
    for i in range(4):
        day += timedelta(days=7)
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
        write.attest_training(ml, passport.id, title=f"CACES R48{i}", status="completed", hours=35)
        write.declare_cpf(passport, as_of=day, balance_eur=1200 + i)
    share = sharing.create_share(
        passport,
        sections=list(passports.ALL_SECTIONS),
        permissions=["read", "append"],
        expires_in_days=30,
        structure=ml,
    )
    other = passports.passport_of(
        accounts.register_individual("k@bench.invalid", "x" * 16, "Karim Benali")
    )
    db.session.flush()
    target = sharing.create_share(
        other, sections=["receptions"], permissions=["append"], expires_in_days=30, structure=ml
    )
    key, _ = structures.create_api_key(ml)
    token, _ = accounts.issue_token(holder)
    secret, _ = mfa.start_totp(advisor)  # staff must have a second factor in production
    mfa.confirm_totp(advisor, pyotp.TOTP(secret).now())
    advisor_token, _ = accounts.issue_token(advisor)
    db.session.commit()
    return {
        "holder": token,
        "key": key,
        "advisor": advisor_token,
        "share": share.token,
        "target": target.token,
    }


def endpoints(secrets: dict[str, str]) -> dict[str, tuple[str, str, dict, dict | None]]:
    holder = {"Authorization": f"Bearer {secrets['holder']}"}
    key = {"Authorization": f"Bearer {secrets['key']}"}
    shared = f"/api/v1/shared/{secrets['share']}"
    return {
        "healthz": ("GET", "/healthz", {}, None),
        "passport": ("GET", "/api/v1/me/passport", holder, None),
        "shared": ("GET", shared, key, None),
        "shared_adv": ("GET", shared, {"Authorization": f"Bearer {secrets['advisor']}"}, None),
        "append": ("POST", f"/api/v1/shared/{secrets['target']}/receptions", key, RECEPTION),
    }


def send(client, method: str, path: str, headers: dict, body: dict | None) -> None:
    response = client.open(path, method=method, headers=headers, json=body)
    if response.status_code >= 300:
        raise SystemExit(f"{method} {path}: {response.status_code} {response.get_data(True)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--redis", help="Redis URL for the job queue (default: SQLite queue)")
    parser.add_argument("--requests", type=int, default=100, help="per endpoint and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", metavar="ENDPOINT", help="cProfile this endpoint instead")
    parser.add_argument("--sql", metavar="ENDPOINT", help="print one request's statements")
    parser.add_argument("--callees", metavar="FUNCTION", help="with --profile: its callees")
    parser.add_argument("--sort", default="cumulative", help="with --profile: pstats order")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-requests-"))
    admin = name = None
    if args.url:
        admin = create_engine(make_url(args.url), isolation_level="AUTOCOMMIT")
        name = f"bench_requests_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(args.url).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{folder / 'requests.sqlite3'}"
    overrides = {
        "SQLALCHEMY_DATABASE_URI": url,
        "MAIL_OUTBOX": str(folder),
        "RATELIMIT_ENABLED": False,
        "JOBS_SQLITE_PATH": str(folder / "jobs.sqlite3"),
        "REDIS_URL": args.redis,
        "MFA_REQUIRED_ROLES": PRODUCTION_MFA_ROLES.split(","),  # as in production
    }
    app = create_app(TestingConfig, overrides)
    try:
        with app.app_context():
            db.create_all()
            secrets = fill()
            db.session.remove()
        client = app.test_client()
        paths = endpoints(secrets)
        for spec in paths.values():  # warm-up: plans, caches, first connections
            for _ in range(5):
                send(client, *spec)
        if args.sql:
            from sqlalchemy import event

            with app.app_context():
                engine = db.engine
            seen: list[str] = []
            event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
            send(client, *paths[args.sql])
            for statement in seen:
                print(" ".join(statement.split())[:160])
            return 0
        if args.profile:
            spec = paths[args.profile]
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.requests):
                send(client, *spec)
            profiler.disable()
            stats = pstats.Stats(profiler).sort_stats(args.sort)
            stats.print_stats(45)
            if args.callees:
                stats.print_callees(args.callees)
            return 0
        elapsed: dict[str, list[float]] = {name: [] for name in paths}
        cpu: dict[str, list[float]] = {name: [] for name in paths}
        for _ in range(args.rounds):
            for label, spec in paths.items():
                started, started_cpu = time.perf_counter(), time.process_time()
                for _ in range(args.requests):
                    send(client, *spec)
                elapsed[label].append(time.perf_counter() - started)
                cpu[label].append(time.process_time() - started_cpu)
        database = "postgresql" if args.url else "sqlite"
        print(
            f"{database}, {args.rounds} rounds of {args.requests} requests per endpoint; "
            "ratio to /healthz of the fastest round of each (elapsed; CPU of this process):"
        )
        for label in paths:
            print(
                f"  {label:<10} {min(elapsed['healthz']) / min(elapsed[label]):5.3f}x"
                f"   (CPU {min(cpu['healthz']) / min(cpu[label]):5.3f}x;"
                f" {1000 * min(elapsed[label]) / args.requests:6.2f} ms a request)"
            )
        with app.app_context():
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
