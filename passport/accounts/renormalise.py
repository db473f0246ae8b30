"""Stored emails written before the one normalisation (``normalize_email``: NFKC, trimmed,
lower case) was applied everywhere: bring them to their normal form.

An address whose normal form belongs to no other account is rewritten. Two accounts or more
whose addresses have the same normal form (``Léa@x.fr`` and ``léa@x.fr``, an NFD and an NFC
``é``) are a *collision*: they are reported and left alone, never merged, because only a
person can tell whether they are one individual (whose records to keep?) or two.

Behind ``flask user normalise-emails``. The service flushes; the command commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from passport.accounts.models import User
from passport.accounts.services import normalize_email
from passport.extensions import db


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    role: str


@dataclass
class Report:
    #: (account, its new address), rewritten (or to rewrite, in a dry run).
    changed: list[tuple[Account, str]] = field(default_factory=list)
    #: normal form -> the accounts that share it (none of them changed).
    collisions: dict[str, list[Account]] = field(default_factory=dict)


def renormalise_emails(*, apply: bool = True) -> Report:
    """Rewrite every stored email to its normal form, except collisions (reported)."""
    groups: dict[str, list[Account]] = {}
    rows = db.session.execute(db.select(User.id, User.email, User.role).order_by(User.id))
    for row in rows:
        groups.setdefault(normalize_email(row.email), []).append(Account(*row))
    report = Report()
    for normal, accounts in groups.items():
        if len(accounts) > 1:
            report.collisions[normal] = accounts
        elif accounts[0].email != normal:
            report.changed.append((accounts[0], normal))
    if apply:
        for account, normal in report.changed:
            db.session.execute(
                db.update(User)
                .where(User.id == account.id, User.email == account.email)
                .values(email=normal)
                .execution_options(synchronize_session=False)
            )
        db.session.flush()
    return report
