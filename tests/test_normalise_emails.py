"""``flask user normalise-emails``: stored emails from before the one normalisation."""

from __future__ import annotations

import unicodedata

from passport.accounts import services as accounts
from passport.accounts.models import User
from passport.extensions import db
from tests import factories


def _stored(email: str, role: str = "individual") -> int:
    """An account whose address was stored as given (as older code did)."""
    user = (
        factories.holder(f"tmp{id(email)}@example.org")
        if role == "individual"
        else factories.staff(role, factories.structure(), email=f"tmp{id(email)}@example.org")
    )
    db.session.execute(db.update(User).where(User.id == user.id).values(email=email))
    db.session.commit()
    return user.id


def _emails() -> dict[int, str]:
    db.session.expire_all()
    return {row.id: row.email for row in db.session.execute(db.select(User.id, User.email))}


NFD_RENE = unicodedata.normalize("NFD", "René@example.org")
NFC_RENE = "rené@example.org"


def test_rewrites_old_addresses_and_reports_collisions(runner, ctx):
    upper = _stored("  Léa@Example.ORG ")
    wide = _stored("ｂｏｂ＠example.org")
    nfd = _stored(NFD_RENE)
    nfc = _stored(NFC_RENE, role="advisor")
    sam_upper = _stored("Sam@Example.org")
    sam = _stored("sam@example.org")
    fine = _stored("ok@example.org")
    before = _emails()

    dry = runner.invoke(args=["user", "normalise-emails", "--dry-run"])
    assert dry.exit_code == 1, dry.output
    assert "2 address(es) would change, 2 collision(s)." in dry.output
    assert _emails() == before  # a dry run changes nothing

    r = runner.invoke(args=["user", "normalise-emails"])

    assert r.exit_code == 1, r.output  # collisions are left for a person to resolve
    after = _emails()
    assert after[upper] == "léa@example.org"
    assert after[wide] == "bob@example.org"
    # Collisions: every account of the group keeps its address, none is merged or removed.
    assert (after[nfd], after[nfc]) == (NFD_RENE, NFC_RENE)
    assert (after[sam_upper], after[sam]) == ("Sam@Example.org", "sam@example.org")
    assert after[fine] == "ok@example.org"
    assert len(after) == len(before)
    assert f"account {nfd}" in r.output and f"account {nfc}" in r.output
    assert "COLLISION 'rené@example.org'" in r.output and "(advisor)" in r.output
    assert "COLLISION 'sam@example.org'" in r.output
    assert "2 address(es) changed, 2 collision(s)." in r.output
    # The rewritten accounts are found by the lookup every login uses.
    assert accounts.get_user_by_email("LÉA@example.org").id == upper
    assert accounts.authenticate("ｂｏｂ@example.org", factories.PASSWORD).id == wide

    again = runner.invoke(args=["user", "normalise-emails"])
    assert "0 address(es) changed, 2 collision(s)." in again.output


def test_nothing_to_do_exits_zero(runner, ctx):
    factories.holder("ok@example.org")
    r = runner.invoke(args=["user", "normalise-emails"])
    assert r.exit_code == 0, r.output
    assert "0 address(es) changed, 0 collision(s)." in r.output
