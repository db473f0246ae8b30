"""Administration commands (API.md, CLI)."""

from __future__ import annotations

import re

from passport.accounts.models import User
from passport.extensions import db
from passport.passports.models import Passport, Reception, Referral
from passport.structures.models import ApiKey, Structure
from passport.structures.services import create_api_key, find_api_key


def test_structure_add(runner, ctx):
    r = runner.invoke(
        args=[
            "structure",
            "add",
            "ml-dreux",
            "--name",
            "Mission locale de Dreux",
            "--type",
            "ML",
            "--department",
            "28",
        ]
    )
    assert r.exit_code == 0, r.output
    s = db.session.execute(db.select(Structure).where(Structure.code == "ML-DREUX")).scalar_one()
    assert s.is_cep_operator and s.department == "28"
    again = runner.invoke(
        args=["structure", "add", "ML-DREUX", "--name", "x", "--type", "ML", "--department", "28"]
    )
    assert again.exit_code != 0 and "exists" in again.output
    bad = runner.invoke(
        args=["structure", "add", "X", "--name", "x", "--type", "NOPE", "--department", "28"]
    )
    assert bad.exit_code != 0


def test_user_add_reads_password_from_stdin(runner, ctx):
    runner.invoke(
        args=[
            "structure",
            "add",
            "CIO-DREUX",
            "--name",
            "CIO",
            "--type",
            "CIO",
            "--department",
            "28",
        ]
    )
    r = runner.invoke(
        args=[
            "user",
            "add",
            "Conseil@Example.org",
            "--role",
            "advisor",
            "--structure",
            "CIO-DREUX",
            "--name",
            "Camille Roux",
        ],
        input="a long enough password\n",
    )
    assert r.exit_code == 0, r.output
    user = db.session.execute(
        db.select(User).where(User.email == "conseil@example.org")
    ).scalar_one()
    assert (
        user.role == "advisor"
        and user.structure.code == "CIO-DREUX"
        and user.full_name == "Camille Roux"
    )
    assert "a long enough password" not in r.output


def test_user_add_errors(runner, ctx):
    short = runner.invoke(
        args=["user", "add", "a@example.org", "--role", "individual"], input="short\n"
    )
    assert short.exit_code != 0 and "12 characters" in short.output
    no_structure = runner.invoke(
        args=["user", "add", "a@example.org", "--role", "advisor"], input="a long enough password\n"
    )
    assert no_structure.exit_code != 0
    unknown = runner.invoke(
        args=["user", "add", "a@example.org", "--role", "advisor", "--structure", "NOPE"],
        input="a long enough password\n",
    )
    assert unknown.exit_code != 0 and "No structure" in unknown.output
    ok = runner.invoke(
        args=["user", "add", "a@example.org", "--role", "individual"],
        input="a long enough password\n",
    )
    assert ok.exit_code == 0
    assert db.session.execute(db.select(Passport)).scalar_one()
    dup = runner.invoke(
        args=["user", "add", "A@example.org", "--role", "individual"],
        input="a long enough password\n",
    )
    assert dup.exit_code != 0 and "exists" in dup.output


def test_apikey_create_prints_key_last_and_stores_hash(runner, ctx):
    runner.invoke(
        args=[
            "structure",
            "add",
            "FT-DREUX",
            "--name",
            "France Travail",
            "--type",
            "FT",
            "--department",
            "28",
        ]
    )
    r = runner.invoke(args=["apikey", "create", "FT-DREUX"])
    assert r.exit_code == 0, r.output
    secret = r.output.strip().splitlines()[-1]
    assert secret.startswith("sk_")
    stored = db.session.execute(db.select(ApiKey)).scalar_one()
    assert secret not in (stored.key_hash, stored.prefix)
    assert find_api_key(secret) == stored
    revoke = runner.invoke(args=["apikey", "revoke", stored.prefix])
    assert revoke.exit_code == 0
    db.session.expire_all()
    assert find_api_key(secret) is None
    assert runner.invoke(args=["apikey", "create", "NOPE"]).exit_code != 0


def test_demo_loads_the_dreux_network_once(runner, ctx):
    r = runner.invoke(args=["demo"])
    assert r.exit_code == 0, r.output
    codes = set(db.session.execute(db.select(Structure.code)).scalars())
    assert {
        "ML-DREUX",
        "FT-DREUX",
        "CIO-DREUX",
        "BIJ-DREUX",
        "CAP-28",
        "CMA-28",
        "M2ED",
        "CARIF-CVL",
    } <= codes
    assert all(s.department == "28" for s in db.session.execute(db.select(Structure)).scalars())
    holders = db.session.execute(db.select(User).where(User.role == "individual")).scalars().all()
    assert len(holders) == 3
    receptions = db.session.execute(db.select(Reception)).scalars().all()
    assert any(r.passport_id is None for r in receptions)  # anonymous ones for the barometer
    assert all(r.signature for r in receptions)
    assert db.session.execute(db.select(Referral)).scalars().first() is not None
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "already" in again.output
    assert (
        len(db.session.execute(db.select(User).where(User.role == "individual")).scalars().all())
        == 3
    )


def test_apikey_prefixes_are_safe_to_type_on_a_command_line(ctx):
    structure = Structure(code="CIO28", name="CIO de Dreux", type="CIO", department="28")
    db.session.add(structure)
    prefixes = [create_api_key(structure)[1].prefix for _ in range(64)]
    # Never "-abc…" (an option for click) nor "_" (the key's own separator).
    assert all(re.fullmatch(r"[0-9a-f]{8}", p) for p in prefixes), prefixes
    assert len(set(prefixes)) == len(prefixes)
