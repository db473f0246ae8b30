"""Account settings: change password (current one first), change email (confirmed by mail)."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import time_machine

from passport.accounts import services as accounts
from passport.db import utcnow
from passport.extensions import db
from tests import factories
from tests.mailbox import burst
from tests.web import login, submit

NEW = "a brand new passphrase"


def _mails(app) -> list:
    burst(app.test_cli_runner())
    folder = Path(app.config["MAIL_OUTBOX"])
    return [message_from_bytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]


def _link(mail, marker: str) -> str:
    body = mail.get_payload(decode=True).decode()
    line = next(x for x in body.splitlines() if marker in x).strip()
    return line[line.index(marker) :]


def _logged_in(client) -> bool:
    return client.get("/compte/").status_code == 200


def test_change_password_needs_the_current_one(app, client, ctx):
    user = factories.holder()
    login(client, user.email)
    r = submit(
        client,
        "/compte/mot-de-passe",
        {"current_password": "wrong one entirely", "password": NEW, "confirm": NEW},
    )
    assert r.status_code == 200 and "n&#39;est pas le bon" in r.get_data(as_text=True)
    assert accounts.authenticate(user.email, factories.PASSWORD) is not None


def test_change_password_keeps_this_session_and_ends_the_others(app, client, ctx):
    user = factories.holder()
    login(client, user.email)
    other = app.test_client()
    login(other, user.email)
    token = factories.token(user)
    r = submit(
        client,
        "/compte/mot-de-passe",
        {"current_password": factories.PASSWORD, "password": NEW, "confirm": NEW},
    )
    assert r.status_code == 302
    assert _logged_in(client)
    assert not _logged_in(other)
    assert client.get("/api/v1/me/passport", headers=factories.bearer(token)).status_code == 401
    db.session.expire_all()
    assert accounts.authenticate(user.email, NEW) is not None


def test_change_password_errors_next_to_fields(app, client, ctx):
    login(client, factories.holder().email)
    r = submit(
        client,
        "/compte/mot-de-passe",
        {"current_password": factories.PASSWORD, "password": "short", "confirm": "short"},
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "au moins 12 caractères" in page and "field__error" in page


def test_change_email_by_a_link_sent_to_the_new_address(app, client, ctx):
    user = factories.holder("old@example.org")
    login(client, user.email)
    r = submit(
        client, "/compte/adresse", {"email": "New@Example.org", "password": factories.PASSWORD}
    )
    assert r.status_code == 302
    db.session.expire_all()
    assert user.email == "old@example.org"  # not before the link is opened
    (mail,) = _mails(app)
    assert mail["To"] == "new@example.org"
    path = _link(mail, "/compte/adresse/")
    r = app.test_client().get(path)  # another device, not logged in
    assert r.status_code == 302
    db.session.expire_all()
    assert user.email == "new@example.org"
    assert any(m["To"] == "old@example.org" for m in _mails(app))  # the old address is told
    assert app.test_client().get(path).status_code == 410  # single use
    login(app.test_client(), "new@example.org")


def test_change_email_refusals(app, client, ctx):
    user = factories.holder("me@example.org")
    factories.holder("taken@example.org")
    login(client, user.email)
    for data, message in (
        ({"email": "taken@example.org"}, "Un compte existe déjà"),
        ({"email": "me@example.org"}, "déjà votre adresse"),
        ({"email": "not-an-email"}, "pas valide"),
        ({"email": "x@example.org", "password": "wrong password!"}, "pas le bon"),
    ):
        r = submit(client, "/compte/adresse", {"password": factories.PASSWORD, **data})
        assert r.status_code == 200, data
        assert message in r.get_data(as_text=True).replace("&#39;", "'"), data


def test_email_link_expires_and_refuses_a_taken_address(app, client, ctx):
    user = factories.holder("me2@example.org")
    login(client, user.email)
    submit(
        client, "/compte/adresse", {"email": "later@example.org", "password": factories.PASSWORD}
    )
    path = _link(_mails(app)[-1], "/compte/adresse/")
    with time_machine.travel(utcnow() + timedelta(hours=25)):
        assert app.test_client().get(path).status_code == 410
    factories.holder("later@example.org")
    assert app.test_client().get(path).status_code == 409
    db.session.expire_all()
    assert user.email == "me2@example.org"
    assert app.test_client().get("/compte/adresse/garbage").status_code == 410


def test_account_page_links_settings(app, client, ctx):
    login(client, factories.holder().email)
    page = client.get("/compte/").get_data(as_text=True)
    assert "/compte/mot-de-passe" in page and "/compte/adresse" in page
