"""``make bench``: the API under load from a second process, on SQLite then PostgreSQL.

    .venv/bin/python scripts/bench.py --passports 100000
    .venv/bin/python scripts/bench.py --passports 2000 --duration 5 --databases sqlite

For each database: a scratch database (an SQLite file in a temp folder; the PostgreSQL
database ``passport_bench``, dropped and created again), ``flask db upgrade``, ``flask bench
seed --passports N`` (timed), then gunicorn with ``gunicorn.conf.py`` and 4 workers on
127.0.0.1, and wrk (Debian's package) against each endpoint in turn, ``/healthz`` first and
last: req/s, p50 and p99 latency, and each endpoint's ratio to the mean ``/healthz`` of the
same run; then the resident memory (RSS) of each worker. The table goes to docs/BENCHMARKS.md
between the ``bench:begin``/``bench:end`` markers (the rest of the file is left as it is), and
the raw figures to ``bench-results.json`` in the temp folder.

Benchmarks report; they never fail on a figure (tests never time anything).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess  # nosec B404  (runs our own tools: flask, gunicorn, wrk)
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
SPREAD_APPEND = "signed append (100 passports)"
TARGETS = {"holder passport": 0.5, "read through a share": 0.5, "signed append": 0.35}
TARGETS[SPREAD_APPEND] = 0.35
TARGETS |= {"directory search": 0.5, "finder": 0.5}
RSS_TARGET_MB = 150
RECEPTION = {"date": "2026-05-20", "channel": "phone", "needs": ["vae"], "summary": "Bench"}


def lua_script(
    method: str, credential: str | None, body: str | None, paths: list[str] | None = None
) -> str:
    """wrk's Lua for one endpoint: method, headers and body of each request; with ``paths``,
    each request goes to the next of them in turn (each wrk thread from its own offset)."""
    lines = [f"wrk.method = {json.dumps(method)}"]  # a JSON string is a Lua string here
    if credential:
        lines.append(f'wrk.headers["Authorization"] = {json.dumps("Bearer " + credential)}')
    if body is not None:
        lines.append('wrk.headers["Content-Type"] = "application/json"')
        lines.append(f"wrk.body = {json.dumps(body)}")
    if paths:
        lines += [
            "paths = {" + ", ".join(json.dumps(p) for p in paths) + "}",
            "threads = 0",
            "function setup(thread)",
            '  thread:set("offset", threads * 37)',
            "  threads = threads + 1",
            "end",
            "counter = 0",
            "function init(args)",
            "  counter = offset or 0",
            "end",
            "function request()",
            "  counter = counter + 1",
            "  return wrk.format(nil, paths[counter % #paths + 1])",
            "end",
        ]
    return "\n".join(lines) + "\n"


Endpoint = tuple[str, str, str, str | None, str | None, list[str] | None]


def endpoints(creds: dict[str, str]) -> list[Endpoint]:
    """(name, method, path, credential, JSON body, paths to rotate over or None) in the
    order they are measured. The first "signed append" sends every request to the one
    shared passport (they queue on its chain's lock); the second spreads them over the
    seeder's shares for appends (100 passports), as a region's many structures would."""
    share = creds["share_token"]
    spread = [f"/api/v1/shared/{t}/receptions" for t in creds["append_share_tokens"].split(",")]
    reception = json.dumps(RECEPTION)
    return [
        ("/healthz", "GET", "/healthz", None, None, None),
        ("holder passport", "GET", "/api/v1/me/passport", creds["holder_token"], None, None),
        ("read through a share", "GET", f"/api/v1/shared/{share}", creds["api_key"], None, None),
        ("directory search", "GET", "/api/v1/structures?q=dreux&need=job_search", None, None, None),
        (
            "finder",
            "GET",
            "/api/v1/finder?needs=job_search,vae&commune=28134&age=30&situation=jobseeker",
            None,
            None,
            None,
        ),
        (
            "signed append",
            "POST",
            f"/api/v1/shared/{share}/receptions",
            creds["api_key"],
            reception,
            None,
        ),
        (SPREAD_APPEND, "POST", spread[0], creds["api_key"], reception, spread),
        ("/healthz (again)", "GET", "/healthz", None, None, None),
    ]


def run(cmd: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, text=True, **kwargs)  # noqa: S603  # nosec B603


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(database: str, folder: Path) -> str:
    """A scratch database URL, empty."""
    if database == "sqlite":
        return f"sqlite:///{folder / 'bench.sqlite3'}"
    from sqlalchemy import create_engine, text

    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('DROP DATABASE IF EXISTS "passport_bench" WITH (FORCE)'))
        conn.execute(text('CREATE DATABASE "passport_bench"'))
    admin.dispose()
    return f"{PG_SERVER}/passport_bench"


def seed(env: dict, passports: int) -> tuple[dict[str, str], float, str]:
    run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], env, capture_output=True)
    started = time.monotonic()
    done = run(
        [str(BIN / "flask"), "--app", "wsgi", "bench", "seed", "--passports", str(passports)],
        env,
        capture_output=True,
    )
    elapsed = time.monotonic() - started
    lines = done.stdout.strip().splitlines()
    creds = dict(line.split("=", 1) for line in lines[-4:])
    summary = next((line for line in lines if line.startswith("Seeded")), "")
    return creds, elapsed, summary


def start_gunicorn(env: dict, port: int, workers: int, log: Path) -> subprocess.Popen:
    cmd = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "-w", str(workers)]
    cmd += ["-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]
    server = subprocess.Popen(  # noqa: S603  # nosec B603
        cmd, env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:  # nosec B310
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError(f"gunicorn did not answer on port {port}: see {log}")


def workers_of(server: subprocess.Popen) -> list[int]:
    out = subprocess.run(  # noqa: S603  # nosec B603 B607
        ["/bin/ps", "-o", "pid=", "--ppid", str(server.pid)], capture_output=True, text=True
    )
    return [int(p) for p in out.stdout.split()]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def wrk(url: str, script: Path, duration: int, connections: int, threads: int) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    cmd += ["--timeout", "30s", "-s", str(script), url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout  # noqa: S603  # nosec B603
    latency = dict(re.findall(r"^\s*(50|99)(?:\.0+)?%\s+(\S+)\s*$", out, re.M))
    if "50" not in latency or "99" not in latency:
        raise RuntimeError(f"unexpected wrk output for {url}:\n{out}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)$", out, re.M)
    requests = re.search(r"(\d+) requests in", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": _ms(latency["50"]),
        "p99_ms": _ms(latency["99"]),
        "requests": int(requests.group(1)) if requests else 0,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def measure(database: str, args, folder: Path) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    url = prepare(database, folder)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
        "RATELIMIT_ENABLED": "false",  # one client hammering one endpoint is the point here
        "MAIL_OUTBOX": str(folder / "outbox"),
        "JOBS_SQLITE_PATH": str(folder / "jobs.sqlite3"),
        "PASSPORT_ENV": "development",
    }
    if args.redis:
        env["REDIS_URL"] = args.redis
    print(f"[{database}] seeding {args.passports} passports...", flush=True)
    creds, seconds, summary = seed(env, args.passports)
    print(f"[{database}] {summary} ({seconds:.0f} s)", flush=True)
    port = free_port()
    server = start_gunicorn(env, port, args.workers, folder / "gunicorn.log")
    results = []
    try:
        for name, method, path, credential, body, paths in endpoints(creds):
            script = folder / f"{len(results)}.lua"
            script.write_text(lua_script(method, credential, body, paths))
            target = f"http://127.0.0.1:{port}{path}"
            wrk(target, script, min(2, args.duration), 2, 1)  # warm every worker
            figures = wrk(target, script, args.duration, args.connections, args.threads)
            print(f"[{database}] {name}: {figures}", flush=True)
            results.append({"endpoint": name, **figures})
        rss = [round(rss_mb(pid), 1) for pid in workers_of(server)]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    floor = statistics.mean(r["rps"] for r in results if r["endpoint"].startswith("/healthz"))
    for r in results:
        r["ratio"] = r["rps"] / floor if floor else 0.0
    return {
        "database": database,
        "passports": args.passports,
        "seed": summary,
        "seed_seconds": round(seconds),
        "rss_mb": rss,
        "results": results,
    }


def machine() -> str:
    load = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {load[0]:.1f} at the end of the run"


def table(runs: list[dict], args) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Run of {when}: `make bench BENCH_PASSPORTS={args.passports}`, gunicorn {args.workers} "
        f"workers, wrk {args.threads} threads / {args.connections} connections / "
        f"{args.duration} s per endpoint, {machine()}.",
        "",
        "| database | endpoint | req/s | p50 | p99 | ratio to /healthz | target | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        for e in r["results"]:
            target = TARGETS.get(e["endpoint"])
            verdict = (
                ""
                if target is None
                else f"≥ {target}× " + ("met" if e["ratio"] >= target else "**missed**")
            )
            errors = e["non_2xx"] or ""
            if e["socket_errors"]:
                errors = f"{errors} {e['socket_errors']}".strip()
            lines.append(
                f"| {r['database']} | {e['endpoint']} | {e['rps']:,.0f} | {e['p50_ms']:.1f} ms "
                f"| {e['p99_ms']:.1f} ms | {e['ratio']:.2f}× | {verdict} | {errors} |"
            )
    lines += ["", "| database | seeding | RSS per worker (MB) | RSS target |", "|---|---|---|---|"]
    for r in runs:
        worst = max(r["rss_mb"], default=0)
        verdict = f"≤ {RSS_TARGET_MB} MB " + ("met" if worst <= RSS_TARGET_MB else "**missed**")
        lines.append(
            f"| {r['database']} | {r['seed']} ({r['seed_seconds']} s) "
            f"| {', '.join(f'{m:.0f}' for m in r['rss_mb'])} | {verdict} |"
        )
    return "\n".join(lines)


def write_report(path: Path, body: str) -> None:
    """Replace what is between the markers; add a section before "## Indicators" if none."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"{BEGIN}\n{body}\n{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        section = f"## The API under load (make bench)\n\n{block}\n\n"
        if "\n## Indicators" in text:
            head, rest = text.split("\n## Indicators", 1)
            text = f"{head}\n{section}## Indicators{rest}"
        else:
            text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passports", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--duration", type=int, default=15, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL"))
    parser.add_argument("--report", default=str(ROOT / "docs" / "BENCHMARKS.md"))
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install -y wrk (make bench-tools)", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="passport-bench-"))
    runs = [
        measure(database, args, folder / database)
        for database in args.databases.split(",")
        if database
    ]
    (folder / "bench-results.json").write_text(json.dumps(runs, indent=2))
    write_report(Path(args.report), table(runs, args))
    print(f"Report written to {args.report}; raw figures in {folder / 'bench-results.json'}")
    if not args.keep:
        for database in args.databases.split(","):
            shutil.rmtree(folder / database, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
