"""POST /api/v1/me/mfa/totp, /me/mfa/totp/confirm, and `otp` in POST /auth/token (API.md)."""

from __future__ import annotations

import pyotp

from tests import factories
from tests.mfa.helpers import code_at


def token_for(client, email, **extra):
    return client.post(
        "/api/v1/auth/token", json={"email": email, "password": factories.PASSWORD, **extra}
    )


def enrol(client, headers, clock) -> tuple[str, list[str]]:
    r = client.post("/api/v1/me/mfa/totp", headers=headers)
    assert r.status_code == 201
    body = r.get_json()
    assert set(body) == {"secret", "otpauth_uri"}
    assert pyotp.parse_uri(body["otpauth_uri"]).secret == body["secret"]
    r = client.post(
        "/api/v1/me/mfa/totp/confirm",
        headers=headers,
        json={"code": code_at(body["secret"], clock.step)},
    )
    assert r.status_code == 200, r.get_json()
    return body["secret"], r.get_json()["recovery_codes"]


def test_enrolment_then_token_needs_otp(client, ctx, clock):
    user = factories.holder("lea@example.org")
    headers = factories.bearer(factories.token(user))
    secret, codes = enrol(client, headers, clock)
    assert len(codes) == 10

    clock.to(2)
    r = token_for(client, user.email)
    assert r.status_code == 401
    assert r.get_json()["mfa_required"] is True
    r = token_for(client, user.email, otp="000000")
    assert r.status_code == 401 and r.get_json()["mfa_required"] is True
    r = token_for(client, user.email, otp=code_at(secret, 2))
    assert r.status_code == 201
    assert (
        client.get(
            "/api/v1/me/passport", headers=factories.bearer(r.get_json()["access_token"])
        ).status_code
        == 200
    )
    # The same code again, in the same window: refused.
    assert token_for(client, user.email, otp=code_at(secret, 2)).status_code == 401
    # A recovery code, once.
    assert token_for(client, user.email, otp=codes[0]).status_code == 201
    assert token_for(client, user.email, otp=codes[0]).status_code == 401


def test_wrong_password_with_right_otp_is_a_plain_401(client, ctx, clock):
    user = factories.holder("lea@example.org")
    secret, _ = enrol(client, factories.bearer(factories.token(user)), clock)
    clock.to(1)
    r = client.post(
        "/api/v1/auth/token",
        json={"email": user.email, "password": "wrong wrong wrong", "otp": code_at(secret, 1)},
    )
    assert r.status_code == 401
    assert "mfa_required" not in r.get_json()


def test_confirm_with_a_wrong_code_is_422(client, ctx, clock):
    headers = factories.bearer(factories.token(factories.holder()))
    assert client.post("/api/v1/me/mfa/totp", headers=headers).status_code == 201
    r = client.post("/api/v1/me/mfa/totp/confirm", headers=headers, json={"code": "000000"})
    assert r.status_code == 422
    assert r.get_json()["errors"]["code"]
    assert (
        client.post("/api/v1/me/mfa/totp/confirm", headers=headers, json={"code": 12}).status_code
        == 422
    )


def test_confirm_before_start_and_twice_are_409(client, ctx, clock):
    headers = factories.bearer(factories.token(factories.holder()))
    r = client.post("/api/v1/me/mfa/totp/confirm", headers=headers, json={"code": "123456"})
    assert r.status_code == 409
    enrol(client, headers, clock)
    assert client.post("/api/v1/me/mfa/totp", headers=headers).status_code == 409


def test_structure_keys_cannot_enrol(client, ctx):
    key = factories.api_key(factories.structure())
    assert client.post("/api/v1/me/mfa/totp", headers=factories.bearer(key)).status_code == 403
    assert client.post("/api/v1/me/mfa/totp").status_code == 401


def test_required_role_token_opens_only_enrolment(strict_app, clock):
    client = strict_app.test_client()
    with strict_app.app_context():
        factories.staff("advisor", factories.structure("ML28"), email="c@example.org")
    r = token_for(client, "c@example.org")
    assert r.status_code == 201
    headers = factories.bearer(r.get_json()["access_token"])
    r = client.get("/api/v1/structures", headers=headers)
    assert r.status_code == 403 and r.get_json()["mfa_enrolment_required"] is True
    enrol(client, headers, clock)
    assert client.get("/api/v1/structures", headers=headers).status_code == 200
    assert token_for(client, "c@example.org").get_json()["mfa_required"] is True


def test_the_enrolment_check_is_part_of_the_token_query(strict_app, clock):
    """A required role's token: the second-factor check rides in the token's one query."""
    from sqlalchemy import event

    from passport.extensions import db

    client = strict_app.test_client()
    with strict_app.app_context():
        factories.staff("advisor", factories.structure("ML28"), email="c@example.org")
        engine = db.engine
    headers = factories.bearer(token_for(client, "c@example.org").get_json()["access_token"])
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    def mfa_reads(path: str) -> tuple[int, list[str]]:
        statements.clear()
        event.listen(engine, "before_cursor_execute", seen)
        try:
            status = client.get(path, headers=headers).status_code
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        return status, [s for s in statements if "mfa_" in s]

    status, reads = mfa_reads("/api/v1/structures")
    assert status == 403  # not enrolled yet: the folded check still refuses
    assert len(reads) == 1 and "api_tokens" in reads[0], reads
    enrol(client, headers, clock)
    status, reads = mfa_reads("/api/v1/structures")
    assert status == 200
    assert len(reads) == 1 and "api_tokens" in reads[0], reads
