"""How long the access-log partitioning migration (d4e8b2a6c1f3) takes (not a test).

    .venv/bin/python scripts/bench_access_log_migration.py postgresql+psycopg://postgres@127.0.0.1:5432/postgres

Creates a scratch database next to the one given (dropped at the end), migrates it to the
revision before, fills ``access_log`` with ``--rows`` rows (200,000 by default) over twelve
months (one INSERT ... SELECT generate_series), with one notification per 10 rows, then times
the upgrade to d4e8b2a6c1f3 (the copy under the lock) and the downgrade. Prints the seconds
and the seconds per million rows. docs/SCALING.md quotes it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BEFORE, PARTITIONED = "d4e8a2b6c1f3", "d4e8b2a6c1f3"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url", help="a PostgreSQL server (a scratch database is made on it)")
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()

    from flask_migrate import downgrade, upgrade

    from config import TestingConfig
    from passport import create_app
    from passport.extensions import db
    from passport.passports import services as passports
    from tests import factories

    admin = make_url(args.url)
    name = f"passport_migbench_{uuid.uuid4().hex[:8]}"
    server = create_engine(admin, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.set(database=name).render_as_string(hide_password=False)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": url, "MAIL_OUTBOX": tmp})
            app.instance_path = tmp
            with app.app_context():
                upgrade(revision=BEFORE)
                holder = factories.holder(name="Léa Martin")
                passport = passports.passport_of(holder)
                structure = factories.structure("ML28", "ML")
                db.session.commit()
                fill = text(
                    "INSERT INTO access_log (passport_id, structure_id, action, at) "
                    "SELECT :passport, :structure, 'view', "
                    "now() - (i * (interval '365 days' / :rows)) "
                    "FROM generate_series(1, :rows) AS i"
                )
                values = {"passport": passport.id, "structure": structure.id, "rows": args.rows}
                db.session.execute(fill, values)
                notices = text(
                    "INSERT INTO notifications (user_id, access_id, kind, created_at) "
                    "SELECT :user, id, 'access', at FROM access_log WHERE id % 10 = 0"
                )
                db.session.execute(notices, {"user": holder.id})
                db.session.commit()
                db.session.execute(text("ANALYZE"))
                db.session.commit()
                db.session.remove()
                for label, step, revision in (
                    ("upgrade", upgrade, PARTITIONED),
                    ("downgrade", downgrade, BEFORE),
                ):
                    start = time.perf_counter()
                    step(revision=revision)
                    seconds = time.perf_counter() - start
                    per_million = seconds * 1_000_000 / args.rows
                    print(f"{label}: {seconds:.1f} s for {args.rows:,} rows, {per_million:.0f} s/M")
                db.session.remove()
                db.engine.dispose()
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


if __name__ == "__main__":
    main()
