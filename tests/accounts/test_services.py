"""Account services against the real database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from passport.accounts import services as accounts
from passport.accounts import sessions
from passport.accounts.models import ApiToken
from passport.db import utcnow
from passport.extensions import db
from passport.passports.models import Passport
from tests import factories


def test_register_creates_holder_and_passport(ctx):
    user = accounts.register_individual("  Lea@Example.ORG ", factories.PASSWORD, " Léa Martin ")
    db.session.commit()
    assert user.email == "lea@example.org"
    assert user.full_name == "Léa Martin"
    assert user.role == "individual"
    assert user.password_hash.startswith("$argon2id$")
    assert db.session.execute(db.select(Passport).where(Passport.holder_id == user.id)).scalar_one()


def test_register_twice_raises(ctx):
    factories.holder("a@example.org")
    with pytest.raises(accounts.EmailTaken):
        accounts.register_individual("A@example.org", factories.PASSWORD, "Other")


def test_authenticate(ctx):
    user = factories.holder("a@example.org")
    assert accounts.authenticate("A@example.org", factories.PASSWORD) == user
    assert user.last_login_at is not None
    assert accounts.authenticate("a@example.org", "wrong password") is None
    assert accounts.authenticate("nobody@example.org", factories.PASSWORD) is None


def test_inactive_user_cannot_authenticate_or_use_tokens(ctx):
    user = factories.holder("a@example.org")
    secret, _ = accounts.issue_token(user)
    user.active = False
    db.session.commit()
    assert accounts.authenticate("a@example.org", factories.PASSWORD) is None
    assert accounts.find_token(secret) is None


def test_tokens_are_stored_hashed_and_expire(ctx):
    user = factories.holder()
    secret, token = accounts.issue_token(user)
    db.session.commit()
    assert secret not in token.token_hash
    stored = db.session.execute(db.select(ApiToken.token_hash)).scalars().all()
    assert secret not in stored
    assert accounts.find_token(secret) == token
    token.expires_at = utcnow() - timedelta(seconds=1)
    assert accounts.find_token(secret) is None


def test_change_password_revokes_tokens_and_sessions(ctx):
    user = factories.holder()
    secret, _ = accounts.issue_token(user)
    sessions.start_session(user)
    old_session = user.session_secret
    kept = sessions.start_session(user)
    kept_secret = user.session_secret
    db.session.commit()
    accounts.change_password(user, "a brand new password", keep=kept)
    db.session.commit()
    assert accounts.find_token(secret) is None
    assert sessions.load_user(old_session) is None
    assert sessions.load_user(kept_secret) is user
    assert accounts.authenticate(user.email, "a brand new password") == user


def test_reset_token_is_single_use(ctx):
    user = factories.holder()
    token = accounts.make_reset_token(user)
    assert accounts.user_for_reset_token(token) == user
    assert accounts.user_for_reset_token(token + "x") is None
    accounts.change_password(user, "another good password")
    assert accounts.user_for_reset_token(token) is None


def test_reset_token_expires(app, ctx):
    user = factories.holder()
    token = accounts.make_reset_token(user)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    assert accounts.user_for_reset_token(token) is None


@pytest.mark.parametrize("value", ["", "abc", "1", "1.0", "999.1"])
def test_load_user_rejects_bad_ids(ctx, value):
    factories.holder()
    assert sessions.load_user(value) is None


def test_create_staff_needs_structure(ctx):
    with pytest.raises(accounts.InvalidRole):
        accounts.create_user("x@example.org", factories.PASSWORD, "X", "advisor", None)
    with pytest.raises(accounts.InvalidRole):
        accounts.create_user("x@example.org", factories.PASSWORD, "X", "superuser", None)
    s = factories.structure("CIO-T", type_="CIO")
    advisor = accounts.create_user("x@example.org", factories.PASSWORD, "X", "advisor", s)
    assert advisor.is_structure_staff and not advisor.is_holder
