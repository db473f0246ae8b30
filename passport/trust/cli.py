"""Trust commands: ``flask --app wsgi passport verify|reencrypt`` and ``flask --app wsgi purge``.

``passport.cli.register`` adds ``verify_command`` and ``reencrypt_command`` to its
``passport`` group, and ``purge_command`` as a top-level command (API.md, issue 4).
"""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext

from passport.api.idempotency import purge_idempotent_requests
from passport.extensions import db
from passport.trust import rekey, retention
from passport.trust.pdf import PdfRefused, load_document
from passport.trust.verify import (
    NotABundle,
    describe,
    jwks_keys,
    load_json,
    server_keys,
    verification_json,
    verify_bundle,
)

KIND_FR = {
    "reception": "accueil",
    "referral": "orientation",
    "referral_status": "suivi d'orientation",
    "training": "formation",
    "cpf_statement": "relevé CPF",
    "correction": "correction",
}
ACTION_FR = {"rectify": "rectifié", "withdraw": "RETIRÉ"}
STATUS_FR = {
    "attested": "attesté par {issuer}",
    "self_declared": "déclaré par le titulaire",
    "invalid": "NON VALABLE",
}


@click.command("verify")
@with_appcontext
@click.argument("file", type=click.File("rb"))
@click.option(
    "--bundle-keys-only",
    is_flag=True,
    help="Trust the keys inside the bundle (proves integrity only, not who signed).",
)
@click.option(
    "--jwks",
    "jwks_file",
    type=click.File("rb"),
    help="Compare keys with this JWK Set (a saved /.well-known/jwks.json) "
    "instead of this installation's keys.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the answer of POST /api/v1/verify.")
def verify_command(file, bundle_keys_only: bool, jwks_file, as_json: bool) -> None:
    """Verify an export (FILE, or - for standard input): the JSON bundle or the PDF export.

    Exit status: 0 valid, 1 not valid, 2 not a bundle, not JSON, or a PDF without a bundle.
    """
    try:
        bundle = load_document(file.read())
        trusted = None
        if jwks_file is not None:
            trusted = jwks_keys(load_json(jwks_file.read()))
        elif not bundle_keys_only:
            trusted = server_keys()
        result = verify_bundle(bundle, trusted)
    except PdfRefused as exc:
        click.echo(exc.message, err=True)
        sys.exit(2)
    except NotABundle as exc:
        click.echo("Ce fichier n'est pas un export du Passeport SPRO :", err=True)
        for name, messages in exc.errors.items():
            click.echo(f"  {name}: {'; '.join(messages)}", err=True)
        sys.exit(2)
    except ValueError as exc:
        click.echo(f"Ce fichier n'est pas du JSON valable ({exc}).", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(verification_json(result), ensure_ascii=False, indent=2))
    else:
        _print_report(result)
    sys.exit(0 if result.valid else 1)


def _print_report(result) -> None:
    holder = result.holder.get("full_name") or "?"
    click.echo(f"Passeport de {holder}, exporté le {result.exported_at}.")
    sources = {
        "server": "les clés publiées par ce service",
        "jwks": "le jeu de clés fourni",
        "bundle": "les seules clés contenues dans l'export (intégrité seulement)",
    }
    click.echo(f"Clés utilisées : {sources[result.checked_against]}.")
    for check in result.records:
        issuer = result.structure_names.get(check.structure or "") or check.structure or "?"
        status = STATUS_FR[check.status].format(issuer=issuer)
        kind = KIND_FR.get(check.kind, "?") if isinstance(check.kind, str) else "?"
        click.echo(f"  n° {check.seq} {kind} : {status}")
        for correction in check.corrections:
            action = ACTION_FR.get(correction["action"], "?")
            click.echo(f"      {action} par le n° {correction['seq']} : {correction['reason']}")
        for finding in check.problems:
            click.echo(f"      - {describe(finding)}")
    general = [f for f in result.problems if f.seq is None]
    for finding in general:
        click.echo(f"  - {describe(finding)}")
    if result.valid:
        click.echo(f"VALIDE : {len(result.records)} enregistrement(s), aucune anomalie.")
    else:
        click.echo(f"NON VALIDE : {len(result.problems)} problème(s).")


@click.command("reencrypt")
@with_appcontext
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000))
def reencrypt_command(batch_size: int) -> None:
    """Re-encrypt every encrypted column with the newest key of ENCRYPTION_KEYS."""
    finals: dict[str, rekey.ColumnReport] = {}
    for report in rekey.reencrypt(batch_size):
        db.session.commit()
        finals[report.name] = report
    total = rekey.ColumnReport("total")
    for report in finals.values():
        line = (
            f"{report.name}: {report.scanned} lu(s), {report.reencrypted} rechiffré(s), "
            f"{report.current} déjà à jour, {report.unreadable} illisible(s)"
        )
        if report.plaintext:
            line += f", {report.plaintext} trouvé(s) en clair et chiffré(s)"
        click.echo(line)
        total.scanned += report.scanned
        total.reencrypted += report.reencrypted + report.plaintext
        total.current += report.current
        total.unreadable += report.unreadable
    click.echo(
        f"Total : {total.scanned} valeur(s), {total.reencrypted} rechiffrée(s) avec la clé "
        f"la plus récente, {total.unreadable} illisible(s)."
    )
    if total.unreadable:
        raise click.ClickException(
            "Des valeurs n'ont pas pu être déchiffrées : ne retirez aucune ancienne clé."
        )
    click.echo("Les anciennes clés peuvent être retirées de ENCRYPTION_KEYS.")


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Say what would be erased; change nothing.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Erase what is past its retention period (inactive passports, old access log)."""
    report = retention.purge(dry_run=dry_run, on_batch=db.session.commit)
    replays = 0 if dry_run else purge_idempotent_requests()
    db.session.commit()
    cut = report.cutoffs
    verb = "seraient effacés" if dry_run else "effacés"
    click.echo(
        f"Passeports sans activité depuis le {cut.passports:%d/%m/%Y} : "
        f"{report.holders} {verb} (avec le compte de leur titulaire)."
    )
    click.echo(
        f"Entrées du journal des accès antérieures au {cut.access_log:%d/%m/%Y} : "
        f"{report.access_log_entries} {verb}."
    )
    click.echo(
        f"Liens de partage expirés, révoqués ou épuisés dont le jeton chiffré est "
        f"{'à effacer' if dry_run else 'effacé'} : {report.share_tokens}."
    )
    if replays:
        click.echo(f"Réponses d'API gardées pour les nouvelles tentatives, expirées : {replays}.")
    if not dry_run and report.holders:
        kept = report.erasure.anonymised
        click.echo(
            "Conservés sans donnée personnelle pour les statistiques : "
            f"{kept.get('receptions', 0)} accueil(s), {kept.get('referrals', 0)} "
            f"orientation(s), {kept.get('referral_events', 0)} changement(s) de statut."
        )
