"""TOTP codes and recovery codes at the service level (moved clock, real pyotp codes)."""

from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import text

from passport.extensions import db
from passport.mfa import services as mfa
from tests import factories
from tests.mfa.helpers import code_at


@pytest.fixture
def enrolled(ctx, clock):
    user = factories.holder()
    clock.to(0)
    secret, uri = mfa.start_totp(user)
    codes = mfa.confirm_totp(user, code_at(secret, 0))
    db.session.commit()
    return user, secret, codes


def test_start_gives_a_standard_otpauth_uri(ctx, clock):
    user = factories.holder("lea@example.org")
    secret, uri = mfa.start_totp(user)
    parsed = pyotp.parse_uri(uri)
    assert parsed.secret == secret
    assert parsed.digits == 6 and parsed.interval == 30
    assert uri.startswith("otpauth://totp/Passeport%20SPRO:lea%40example.org?")
    assert "issuer=Passeport%20SPRO" in uri
    assert not mfa.has_mfa(user)


def test_secret_is_encrypted_at_rest(enrolled, clock):
    user, secret, _codes = enrolled
    stored = db.session.execute(
        text("SELECT secret FROM mfa_totp WHERE user_id = :u"), {"u": user.id}
    ).scalar_one()
    assert stored.startswith("enc1:")
    assert secret not in stored


def test_confirm_refuses_a_wrong_code(ctx, clock):
    user = factories.holder()
    clock.to(0)
    secret, _ = mfa.start_totp(user)
    with pytest.raises(mfa.WrongCode):
        mfa.confirm_totp(user, code_at(secret, 5))
    assert not mfa.has_mfa(user)


def test_confirm_gives_ten_different_recovery_codes_stored_hashed(enrolled, clock):
    user, _secret, codes = enrolled
    assert len(codes) == 10 == len(set(codes))
    assert mfa.has_mfa(user)
    stored = db.session.execute(
        text("SELECT code_hash FROM mfa_recovery_codes WHERE user_id = :u"), {"u": user.id}
    ).scalars()
    stored = list(stored)
    assert len(stored) == 10
    assert not set(codes) & set(stored)


def test_code_accepted_once_then_replay_refused(enrolled, clock):
    user, secret, _ = enrolled
    clock.to(2)
    code = code_at(secret, 2)
    assert mfa.check_code(user, code)
    assert not mfa.check_code(user, code)  # the same code, same window: refused
    clock.to(3)
    assert not mfa.check_code(user, code)  # still within the drift window: refused
    assert mfa.check_code(user, code_at(secret, 3))


def test_one_step_of_drift_either_side_but_not_two(enrolled, clock):
    user, secret, _ = enrolled
    clock.to(10)
    assert not mfa.check_code(user, code_at(secret, 8))
    assert not mfa.check_code(user, code_at(secret, 12))
    assert mfa.check_code(user, code_at(secret, 9))
    clock.to(20)
    assert mfa.check_code(user, code_at(secret, 21))
    # an earlier step than the last accepted one is refused
    assert not mfa.check_code(user, code_at(secret, 20))


def test_the_confirmation_code_cannot_be_replayed(enrolled, clock):
    user, secret, _ = enrolled
    clock.to(0)
    assert not mfa.check_code(user, code_at(secret, 0))


def test_recovery_code_works_once_whatever_the_case_and_dashes(enrolled, clock):
    user, _secret, codes = enrolled
    first = codes[0]
    assert mfa.check_code(user, " " + first.upper().replace("-", " ") + " ")
    assert not mfa.check_code(user, first)
    assert mfa.recovery_codes_left(user) == 9
    assert mfa.check_code(user, codes[1])


def test_recovery_codes_of_another_account_do_not_work(enrolled, clock):
    _user, _secret, codes = enrolled
    other = factories.holder()
    assert not mfa.check_code(other, codes[0])


def test_new_recovery_codes_replace_the_old_ones(enrolled, clock):
    user, _secret, codes = enrolled
    fresh = mfa.new_recovery_codes(user)
    assert not mfa.check_code(user, codes[0])
    assert mfa.check_code(user, fresh[0])


@pytest.mark.parametrize("junk", ["", "12345", "1234567", "abcdef", "x" * 64, "١٢٣٤٥٦"])
def test_junk_codes_are_refused(enrolled, junk, clock):
    user, _secret, _codes = enrolled
    assert not mfa.check_code(user, junk)


def test_mfa_status_for_many_accounts(enrolled, clock):
    user, _secret, _ = enrolled
    other = factories.holder()
    assert mfa.mfa_status([user, other]) == {user.id: True, other.id: False}
    assert mfa.mfa_status([]) == {}
