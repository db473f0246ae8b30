"""The lock file and the dependency audit that CI runs (``make lock``, ``make audit``)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "=="
            pins[canonicalize_name(req.name)] = spec.version
    return pins


def test_the_lock_pins_every_dependency_of_pyproject():
    """A dependency added to pyproject.toml without `make lock` fails here."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    pins = _locked()
    for line in wanted:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not in requirements.lock: run `make lock`"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock has {req.name}=={pins[name]}, pyproject wants {req.specifier}:"
            " run `make lock`"
        )


@pytest.fixture
def audit(monkeypatch):
    spec = importlib.util.spec_from_file_location("ci_audit", ROOT / ".ci" / "audit.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def answer(report: dict | None, stderr: str = ""):
        def fake_run(output: Path):
            if report is not None:
                output.write_text(json.dumps(report))
            return subprocess.CompletedProcess([], 1 if report is None else 0, "", stderr)

        monkeypatch.setattr(module, "run_pip_audit", fake_run)
        return module.main()

    return answer


def test_audit_fails_on_a_known_vulnerability(audit, capsys):
    report = {
        "dependencies": [
            {"name": "flask", "version": "3.1.0", "vulns": []},
            {
                "name": "jinja2",
                "version": "3.0.0",
                "vulns": [{"id": "GHSA-xxxx", "fix_versions": ["3.1.5"]}],
            },
        ]
    }
    assert audit(report) == 1
    assert "VULNERABLE jinja2 3.0.0: GHSA-xxxx (fixed in 3.1.5)" in capsys.readouterr().out


def test_audit_passes_when_nothing_is_known(audit, capsys):
    assert audit({"dependencies": [{"name": "flask", "version": "3.1.0", "vulns": []}]}) == 0
    assert "no known vulnerability in 1" in capsys.readouterr().out


@pytest.mark.parametrize(
    "report",
    [
        None,  # pip-audit crashed on a connection error and wrote nothing
        {"dependencies": [{"name": "flask", "skip_reason": "Dependency not found on PyPI"}]},
    ],
)
def test_audit_only_reports_when_the_database_is_unreachable(audit, capsys, report):
    assert audit(report, stderr="ConnectionError: Failed to resolve") == 0
    assert "NOTHING WAS AUDITED" in capsys.readouterr().out
