"""The advisors list of the API says who has a second factor: a confirmed TOTP or a passkey."""

from __future__ import annotations

import pyotp

from passport.extensions import db
from passport.mfa import services as mfa
from passport.mfa.models import Passkey
from tests import factories


def test_mfa_field_follows_totp_and_passkeys(client, ctx):
    ml = factories.structure("ML-MFA")
    boss = factories.staff("structure_admin", ml, name="Boss")
    with_totp = factories.staff("advisor", ml, name="Alix Totp")
    with_key = factories.staff("advisor", ml, name="Bao Passkey")
    pending = factories.staff("advisor", ml, name="Cyd Pending")
    factories.staff("advisor", ml, name="Dani Nothing")
    secret, _uri = mfa.start_totp(with_totp)
    mfa.confirm_totp(with_totp, pyotp.TOTP(secret).now())
    mfa.start_totp(pending)  # started, never confirmed: not a second factor
    db.session.add(Passkey(user_id=with_key.id, credential_id="abc", public_key=b"k", name="Clé"))
    db.session.commit()
    headers = factories.bearer(factories.token(boss))

    r = client.get("/api/v1/structures/ML-MFA/advisors", headers=headers)

    assert r.status_code == 200
    assert {a["full_name"]: a["mfa"] for a in r.json} == {
        "Boss": False,
        "Alix Totp": True,
        "Bao Passkey": True,
        "Cyd Pending": False,
        "Dani Nothing": False,
    }
    one = client.post(
        "/api/v1/structures/ML-MFA/advisors",
        json={"email": "new@example.org", "full_name": "New"},
        headers=headers,
    )
    assert one.status_code == 201 and one.json["mfa"] is False
