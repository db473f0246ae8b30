"""Dependency audit: known vulnerabilities in the locked dependencies (``make audit``).

Runs pip-audit over ``requirements.lock`` (exactly what CI and production install) against
PyPI's advisory data, then decides:

- a known vulnerability in a locked version: print it and exit 1 (update the lock: raise
  the version in pyproject.toml if needed, then ``make lock UPGRADE=--upgrade``);
- the advisory database cannot be reached (no network, DNS failure, timeouts, or every
  package answered "not found"): print a loud warning and exit 0, so that an offline CI
  machine is not blocked by a service it cannot see;
- otherwise: exit 0.

A vulnerability that does not apply here can be ignored in IGNORED below, each with its
reason.
"""

from __future__ import annotations

import json
import subprocess  # nosec B404  # runs pip-audit from this virtualenv, fixed arguments
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"

#: vulnerability id -> why it does not apply to this service.
IGNORED: dict[str, str] = {}


def run_pip_audit(output: Path) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--requirement",
        str(LOCK),
        "--no-deps",  # the lock pins every package: nothing to resolve
        "--disable-pip",
        "--progress-spinner",
        "off",
        "--timeout",
        "20",
        "--format",
        "json",
        "--output",
        str(output),
    ]
    for vuln_id in IGNORED:
        command += ["--ignore-vuln", vuln_id]
    return subprocess.run(  # nosec B603  # fixed command, no shell, no user input
        command, capture_output=True, text=True, timeout=600, check=False
    )


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "audit.json"
        try:
            result = run_pip_audit(output)
        except subprocess.TimeoutExpired:
            return unreachable("pip-audit did not finish in 10 minutes")
        if not output.exists():
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            return unreachable(last)
        report = json.loads(output.read_text())

    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    audited = [d for d in dependencies if "skip_reason" not in d]
    skipped = [d for d in dependencies if "skip_reason" in d]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            print(f"VULNERABLE {dep['name']} {dep.get('version')}: {vuln['id']} (fixed in {fixes})")
    if vulnerable:
        print(f"audit: {len(vulnerable)} locked dependencies have known vulnerabilities.")
        return 1
    if not audited:
        return unreachable(f"all {len(skipped)} dependencies skipped (advisories not reachable)")
    if skipped:
        names = ", ".join(d["name"] for d in skipped)
        print(f"audit: WARNING, {len(skipped)} dependencies could not be audited: {names}")
    print(f"audit: no known vulnerability in {len(audited)} locked dependencies.")
    return 0


def unreachable(reason: str) -> int:
    print("audit: WARNING, the advisory database could not be reached; NOTHING WAS AUDITED.")
    print(f"audit: ({reason}). Run `make audit` again on a machine with network access.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
