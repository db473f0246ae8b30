"""Test data through the real services (no mocks): structures, accounts, tokens."""

from __future__ import annotations

import itertools

from passport.accounts import services as accounts
from passport.extensions import db
from passport.structures import services as structures

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def structure(code: str | None = None, type_: str = "ML", name: str | None = None, **details):
    code = code or f"S{next(_seq)}"
    s = structures.add_structure(
        code, name or f"Structure {code}", type_, details.pop("department", "28"), **details
    )
    db.session.commit()
    return s


def holder(email: str | None = None, name: str = "Léa Martin", password: str = PASSWORD):
    user = accounts.register_individual(email or f"holder{next(_seq)}@example.org", password, name)
    db.session.commit()
    return user


def staff(
    role: str = "advisor", structure_obj=None, email: str | None = None, name: str = "Camille Roux"
):
    user = accounts.create_user(
        email or f"{role}{next(_seq)}@example.org", PASSWORD, name, role, structure_obj
    )
    db.session.commit()
    return user


def token(user) -> str:
    secret, _ = accounts.issue_token(user)
    db.session.commit()
    return secret


def api_key(structure_obj) -> str:
    secret, _ = structures.create_api_key(structure_obj)
    db.session.commit()
    return secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}
