"""POST /api/v1/accounts, POST and DELETE /api/v1/auth/token (API.md, Accounts)."""

from __future__ import annotations

import pytest

from passport.accounts import services as accounts
from passport.db import utcnow
from passport.extensions import db
from tests import factories


def register(client, **overrides):
    body = {
        "email": "lea@example.org",
        "password": "correct horse battery",
        "full_name": "Léa Martin",
    }
    body.update(overrides)
    return client.post("/api/v1/accounts", json=body)


def assert_problem(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail"} <= set(body)
    return body


def test_create_account(client):
    r = register(client)
    assert r.status_code == 201
    body = r.get_json()
    assert body["email"] == "lea@example.org"
    assert body["full_name"] == "Léa Martin"
    assert body["role"] == "individual"
    assert isinstance(body["id"], int)
    assert "password" not in r.get_data(as_text=True)


def test_email_is_case_insensitive_and_duplicate_is_409(client):
    assert register(client).status_code == 201
    assert_problem(register(client, email="LEA@Example.org"), 409)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("password", "short"),
        ("password", "x" * 11),
        ("email", "not-an-email"),
        ("email", ""),
        ("full_name", ""),
        ("full_name", "   "),
        ("full_name", "x" * 201),
    ],
)
def test_invalid_fields_are_422_with_field_errors(client, field, value):
    body = assert_problem(register(client, **{field: value}), 422)
    assert field in body["errors"]


@pytest.mark.parametrize(
    "payload",
    [
        {"email": 12, "password": "correct horse battery", "full_name": "A"},
        {"email": "a@example.org", "password": ["x"], "full_name": "A"},
        {"email": "a@example.org", "password": "correct horse battery", "full_name": None},
        {"email": "a@example.org", "password": "correct horse battery"},
        {
            "email": "a@example.org",
            "password": "correct horse battery",
            "full_name": "A",
            "role": "admin",
        },
        [],
        "a string",
        42,
    ],
)
def test_wrong_types_and_shapes_are_422(client, payload):
    assert_problem(client.post("/api/v1/accounts", json=payload), 422)


@pytest.mark.parametrize("raw", [b"{", b"not json", b"\xff\xfe", b"", b'{"email": "a@b.c",}'])
def test_malformed_json_is_400(client, raw):
    r = client.post("/api/v1/accounts", data=raw, content_type="application/json")
    assert_problem(r, 400)


def test_huge_body_is_413(client):
    r = client.post(
        "/api/v1/accounts",
        data=b'{"full_name": "' + b"x" * (2 * 1024 * 1024) + b'"}',
        content_type="application/json",
    )
    assert_problem(r, 413)


def test_hostile_strings_are_stored_as_text(client):
    name = "<script>alert(1)</script> Robert'); DROP TABLE users;--"
    r = register(client, full_name=name)
    assert r.status_code == 201
    assert r.get_json()["full_name"] == name


def test_token_flow(client):
    register(client)
    r = client.post(
        "/api/v1/auth/token", json={"email": "lea@example.org", "password": "correct horse battery"}
    )
    assert r.status_code == 201
    body = r.get_json()
    assert body["token_type"] == "Bearer"
    assert body["expires_at"].endswith("Z")
    headers = factories.bearer(body["access_token"])
    assert client.get("/api/v1/me/passport", headers=headers).status_code == 200
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert_problem(client.get("/api/v1/me/passport", headers=headers), 401)
    assert_problem(client.delete("/api/v1/auth/token", headers=headers), 401)


def test_bad_credentials_same_answer_for_unknown_email(client):
    register(client)
    wrong_password = client.post(
        "/api/v1/auth/token", json={"email": "lea@example.org", "password": "nope nope nope"}
    )
    unknown_email = client.post(
        "/api/v1/auth/token", json={"email": "who@example.org", "password": "nope nope nope"}
    )
    assert_problem(wrong_password, 401)
    assert_problem(unknown_email, 401)
    assert wrong_password.get_json() == unknown_email.get_json()


def test_token_malformed_json_is_400(client):
    assert_problem(
        client.post("/api/v1/auth/token", data=b"{oops", content_type="application/json"), 400
    )


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer ",
        "Basic abc",
        "Bearer pt_forged",
        "Bearer sk_abc_def",
        "Bearer " + "x" * 5000,
    ],
)
def test_missing_or_bad_token_is_401(client, header):
    headers = {"Authorization": header} if header else {}
    r = client.get("/api/v1/me/passport", headers=headers)
    body = assert_problem(r, 401)
    assert body["title"] == "Unauthorized"
    assert "Bearer" in r.headers["WWW-Authenticate"]


def test_expired_token_is_401(app, client, ctx):
    user = factories.holder()
    secret, token = accounts.issue_token(user)
    token.expires_at = utcnow()
    db.session.commit()
    assert_problem(client.get("/api/v1/me/passport", headers=factories.bearer(secret)), 401)


def test_staff_token_cannot_read_me_passport(client, ctx):
    structure = factories.structure("ML-T")
    advisor = factories.staff("advisor", structure)
    r = client.get("/api/v1/me/passport", headers=factories.bearer(factories.token(advisor)))
    assert_problem(r, 403)


def test_failed_logins_are_limited_per_account(client):
    register(client)
    for _ in range(10):
        r = client.post(
            "/api/v1/auth/token", json={"email": "lea@example.org", "password": "wrong password!"}
        )
        assert r.status_code == 401
    r = client.post(
        "/api/v1/auth/token", json={"email": "lea@example.org", "password": "wrong password!"}
    )
    assert_problem(r, 429)
    assert int(r.headers["Retry-After"]) > 0
    # Another account is not locked out by this one's failures.
    r = client.post(
        "/api/v1/auth/token", json={"email": "other@example.org", "password": "wrong password!"}
    )
    assert r.status_code == 401


def test_account_creation_allows_ten_a_minute_then_limits(client):
    for i in range(10):
        assert register(client, email=f"user{i}@example.org").status_code == 201
    statuses = [register(client, email=f"more{i}@example.org").status_code for i in range(15)]
    assert 429 in statuses
    limited = register(client, email="last@example.org")
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers


def test_problem_for_unknown_api_path_and_method(client):
    assert_problem(client.get("/api/v1/nope"), 404)
    r = client.get("/api/v1/accounts")
    assert_problem(r, 405)


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "a@example.org", "password": "correct horse battery", "full_name": "A\u0000B"},
        {"email": "a\u0000@example.org", "password": "correct horse battery", "full_name": "A"},
    ],
)
def test_nul_bytes_are_a_400_not_a_database_error(client, payload):
    """PostgreSQL refuses NUL in text: the edge answers 400 before the database sees it."""
    assert_problem(client.post("/api/v1/accounts", json=payload), 400)
    r = client.post("/api/v1/auth/token", json={"email": payload["email"], "password": "x"})
    assert r.status_code in (400, 401)


def test_failed_logins_per_account_count_whatever_the_content_type(client):
    register(client)
    body = b'{"email": "lea@example.org", "password": "wrong password!"}'
    for i in range(10):
        content_type = "application/json" if i % 2 else "text/plain"
        r = client.post("/api/v1/auth/token", data=body, content_type=content_type)
        assert r.status_code == 401
    r = client.post("/api/v1/auth/token", data=body, content_type="text/plain")
    assert_problem(r, 429)
