"""The web app does not load Flask-Migrate (Alembic, Mako, Pygments: 11 MB a gunicorn worker);
``flask db ...`` and ``flask_migrate.upgrade()`` still work (passport/migrations_cli.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from config import TestingConfig
from passport import create_app

ROOT = Path(__file__).resolve().parent.parent


def test_the_web_app_does_not_import_alembic():
    code = (
        "import sys; from config import TestingConfig; from passport import create_app; "
        "create_app(TestingConfig); "
        "names = ('alembic', 'flask_migrate', 'mako', 'pygments'); "
        "print(sorted(m for m in names if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_flask_db_commands_work(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": url})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    engine = create_engine(url)
    with engine.connect() as conn:
        (version,) = conn.execute(text("SELECT version_num FROM alembic_version")).one()
        assert "trainings" in inspect(conn).get_table_names()
    engine.dispose()
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    assert version == ScriptDirectory.from_config(config).get_current_head()
    options = runner.invoke(args=["db", "--help"])
    assert "--directory" in options.output and "upgrade" in options.output
