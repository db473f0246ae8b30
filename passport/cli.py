"""Administration commands: ``flask --app wsgi <command>``."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from passport.accounts import services as accounts
from passport.accounts.models import Role
from passport.extensions import db
from passport.structures import services as structures
from passport.structures.models import STRUCTURE_TYPES

structure_cli = AppGroup("structure", help="Manage the structure directory.")
user_cli = AppGroup("user", help="Manage accounts.")
apikey_cli = AppGroup("apikey", help="Manage structures' API keys.")
passport_cli = AppGroup("passport", help="Passports: verification, maintenance.")


@structure_cli.command("add")
@click.argument("code")
@click.option("--name", required=True)
@click.option(
    "--type",
    "type_",
    required=True,
    type=click.Choice(sorted(STRUCTURE_TYPES), case_sensitive=False),
)
@click.option("--department", required=True)
@click.option("--city")
def structure_add(code: str, name: str, type_: str, department: str, city: str | None) -> None:
    """Add a structure to the directory."""
    try:
        structure = structures.add_structure(code, name, type_, department, city=city)
    except structures.StructureError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Structure {structure.code} added ({structure.name}).")


@user_cli.command("add")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--structure", "structure_code", help="Code of the structure (staff roles).")
@click.option("--name", "full_name", help="Full name (default: the email's local part).")
def user_add(email: str, role: str, structure_code: str | None, full_name: str | None) -> None:
    """Add an account; the password is read from standard input."""
    password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < accounts.MIN_PASSWORD_LENGTH:
        raise click.ClickException("The password (standard input) needs 12 characters at least.")
    structure = None
    if structure_code:
        structure = structures.get_structure(structure_code)
        if structure is None:
            raise click.ClickException(f"No structure {structure_code}.")
    try:
        user = accounts.create_user(
            email, password, full_name or email.split("@")[0], role, structure
        )
    except accounts.EmailTaken:
        raise click.ClickException(f"An account with {email} exists.") from None
    except accounts.InvalidRole as exc:
        raise click.ClickException(f"Invalid role: {exc}") from None
    db.session.commit()
    click.echo(f"User {user.email} added with role {user.role}.")


@user_cli.command("normalise-emails")
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
@click.pass_context
def user_normalise_emails(ctx: click.Context, dry_run: bool) -> None:
    """Rewrite stored emails to the normal form used everywhere (NFKC, lower case).

    Accounts whose addresses share a normal form are reported, not merged (exit status 1).
    """
    from passport.accounts.renormalise import renormalise_emails

    report = renormalise_emails(apply=not dry_run)
    verb = "would change" if dry_run else "changed"
    for account, normal in report.changed:
        click.echo(f"account {account.id}: {account.email!r} -> {normal!r} ({verb})")
    for normal, group in report.collisions.items():
        who = ", ".join(f"account {a.id} {a.email!r} ({a.role})" for a in group)
        click.echo(f"COLLISION {normal!r}: {who}; left unchanged, resolve by hand", err=True)
    if not dry_run:
        db.session.commit()
    click.echo(f"{len(report.changed)} address(es) {verb}, {len(report.collisions)} collision(s).")
    if report.collisions:
        ctx.exit(1)


@apikey_cli.command("create")
@click.argument("code")
@click.option("--label", help="What the key is for (e.g. the name of the system).")
def apikey_create(code: str, label: str | None) -> None:
    """Create an API key for a structure; the key is printed once, as the last line."""
    structure = structures.get_structure(code)
    if structure is None:
        raise click.ClickException(f"No structure {code}.")
    secret, key = structures.create_api_key(structure, label)
    db.session.commit()
    click.echo(f"API key {key.prefix} created for {structure.code}. It is shown only once:")
    click.echo(secret)


@apikey_cli.command("revoke")
@click.argument("prefix")
def apikey_revoke(prefix: str) -> None:
    """Revoke a structure's API key, named by its prefix."""
    from passport.structures.models import ApiKey

    keys = db.session.execute(db.select(ApiKey).where(ApiKey.prefix == prefix)).scalars().all()
    if len(keys) != 1:
        raise click.ClickException(f"No single key with prefix {prefix}.")
    structures.revoke_api_key(keys[0])
    db.session.commit()
    click.echo(f"API key {prefix} revoked.")


@click.command("demo")
@click.option(
    "--password",
    default="passeport-demo-2026",
    show_default=True,
    help="Password of every demo account.",
)
def demo_command(password: str) -> None:
    """Load the demo: the Dreux SPRO network, advisors and three holders (not in production:
    its accounts share a published password)."""
    from flask import current_app

    from passport.demo import load_demo

    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException(
            "flask demo refuses to run in production (PASSPORT_ENV=production): the demo "
            "accounts share a published password."
        )

    created = load_demo(password)
    db.session.commit()
    if not created:
        click.echo("Demo data already present: nothing changed.")
        return
    click.echo(f"Demo data loaded. Accounts (password: {password}):")
    for email, role in created:
        click.echo(f"  {role:16} {email}")


def register(app: Flask) -> None:
    from passport.bench.cli import bench_cli
    from passport.directory.cli import directory_cli
    from passport.indicators.cli import indicators_cli
    from passport.notifications.cli import worker
    from passport.trust.cli import purge_command, reencrypt_command, verify_command

    passport_cli.add_command(verify_command)
    passport_cli.add_command(reencrypt_command)
    for group in (structure_cli, user_cli, apikey_cli, passport_cli):
        app.cli.add_command(group)
    app.cli.add_command(directory_cli)
    app.cli.add_command(indicators_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(purge_command)
    app.cli.add_command(bench_cli)
    app.cli.add_command(worker)
