"""Register, log in, log out and reset a password in the browser (CSRF on)."""

from __future__ import annotations

from email import message_from_bytes
from pathlib import Path

import pytest

from tests import factories
from tests.mailbox import burst
from tests.web import csrf_from, login, submit

NEW = {
    "full_name": "Léa Martin",
    "email": "lea@example.org",
    "password": "correct horse battery",
    "confirm": "correct horse battery",
}


def test_register_logs_in_and_opens_passport(client):
    r = submit(client, "/inscription", NEW)
    assert r.status_code == 302 and r.location.endswith("/passeport/")
    page = client.get("/passeport/").get_data(as_text=True)
    assert "Le passeport de Léa Martin" in page


def test_form_without_csrf_is_refused(client):
    r = client.post("/inscription", data=NEW)
    assert r.status_code == 400
    assert "formulaire" in r.get_data(as_text=True)
    assert (
        submit(
            client, "/connexion", {"email": "lea@example.org", "password": NEW["password"]}
        ).status_code
        == 401
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password": "short", "confirm": "short"}, "au moins 12 caractères"),
        ({"confirm": "something else entirely"}, "ne sont pas identiques"),
        ({"email": "not-an-email"}, "adresse e-mail n'est pas valide"),
        ({"full_name": ""}, "Indiquez votre nom"),
    ],
)
def test_register_errors_next_to_fields(client, change, message):
    r = submit(client, "/inscription", {**NEW, **change})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert "field__error" in page


def test_register_duplicate_email(client, ctx):
    factories.holder("lea@example.org")
    r = submit(client, "/inscription", NEW)
    assert "Un compte existe déjà" in r.get_data(as_text=True)


def test_login_logout(client, ctx):
    factories.holder("lea@example.org")
    login(client, "lea@example.org")
    assert client.get("/passeport/").status_code == 200
    r = submit(client, "/deconnexion", {}, form_url="/passeport/")
    assert r.status_code == 302
    r = client.get("/passeport/")
    assert r.status_code == 302 and "/connexion" in r.location


def test_login_wrong_password(client, ctx):
    factories.holder("lea@example.org")
    r = submit(client, "/connexion", {"email": "lea@example.org", "password": "wrong password"})
    assert r.status_code == 401
    assert "incorrect" in r.get_data(as_text=True)


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/passeport/cpf", "/passeport/cpf"),
        ("https://evil.example/", "/passeport/"),
        ("//evil.example/", "/passeport/"),
        ("/\\evil.example", "/passeport/"),
        ("javascript:alert(1)", "/passeport/"),
    ],
)
def test_login_next_is_safe(client, ctx, next_url, expected):
    factories.holder("lea@example.org")
    token = csrf_from(client, "/connexion")
    r = client.post(
        "/connexion",
        data={
            "csrf_token": token,
            "email": "lea@example.org",
            "password": factories.PASSWORD,
            "next": next_url,
        },
    )
    assert r.status_code == 302
    assert r.location == expected


def test_protected_page_redirects_to_login_and_back(client, ctx):
    factories.holder("lea@example.org")
    r = client.get("/passeport/cpf")
    assert r.status_code == 302
    assert "/connexion?next=" in r.location
    page = client.get(r.location).get_data(as_text=True)
    assert 'value="/passeport/cpf"' in page


def _read_outbox(app) -> list:
    outbox = Path(app.config["MAIL_OUTBOX"])
    return (
        [message_from_bytes(p.read_bytes()) for p in sorted(outbox.glob("*.eml"))]
        if outbox.exists()
        else []
    )


def test_password_reset_by_mail(app, client, runner, ctx):
    factories.holder("lea@example.org")
    r = submit(client, "/mot-de-passe-oublie", {"email": "lea@example.org"})
    assert r.status_code == 302
    burst(runner)  # the worker sends it
    mails = _read_outbox(app)
    assert len(mails) == 1 and mails[0]["To"] == "lea@example.org"
    body = mails[0].get_payload(decode=True).decode()
    link = next(line for line in body.splitlines() if "/mot-de-passe/" in line).strip()
    path = link[link.index("/mot-de-passe/") :]
    r = submit(
        client, path, {"password": "my new long password", "confirm": "my new long password"}
    )
    assert r.status_code == 302
    # The link was single-use.
    assert client.get(path).status_code == 410
    login(client, "lea@example.org", "my new long password")


def test_password_reset_unknown_email_says_the_same(app, client, runner):
    r = submit(client, "/mot-de-passe-oublie", {"email": "nobody@example.org"})
    assert r.status_code == 302
    burst(runner)
    assert _read_outbox(app) == []


def test_reset_with_tampered_token(client):
    assert client.get("/mot-de-passe/not-a-token").status_code == 410


def test_staff_cannot_open_holder_pages(client, ctx):
    s = factories.structure("ML-T")
    factories.staff("advisor", s, email="advisor@example.org")
    login(client, "advisor@example.org")
    assert client.get("/passeport/").status_code == 403


def test_login_rate_limited_per_account(client, ctx):
    factories.holder("lea@example.org")
    for _ in range(10):
        assert (
            submit(
                client, "/connexion", {"email": "lea@example.org", "password": "bad password"}
            ).status_code
            == 401
        )
    r = submit(client, "/connexion", {"email": "lea@example.org", "password": factories.PASSWORD})
    assert r.status_code == 429
    assert "Trop de tentatives" in r.get_data(as_text=True)


def test_language_switch_to_english(client):
    token = csrf_from(client, "/")
    r = client.post("/langue", data={"csrf_token": token, "lang": "en", "next": "//evil.example"})
    assert r.status_code == 302 and r.location == "/"
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
