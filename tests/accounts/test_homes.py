"""After login every role lands on its own page, and never on a 403 (even with ``next=``)."""

from __future__ import annotations

import pytest

from tests import factories
from tests.web import submit

#: Where each role lands: its own home page.
HOMES = {
    "individual": "/passeport/",
    "advisor": "/espace",
    "structure_admin": "/structure/equipe/",
    "coordinator": "/indicateurs",
    "admin": "/admin/",
}
#: A page of another role, as a ``next=`` an old bookmark or a shared link may carry.
FOREIGN = {
    "individual": "/espace",
    "advisor": "/passeport/",
    "structure_admin": "/indicateurs",
    "coordinator": "/espace",
    "admin": "/passeport/",
}


def _account(role: str) -> str:
    email = f"{role}@example.org"
    if role == "individual":
        factories.holder(email)
    elif role in ("advisor", "structure_admin"):
        factories.staff(role, factories.structure(), email=email)
    else:
        factories.staff(role, email=email)
    return email


def _expected(app, role: str) -> str:
    return HOMES[role]


@pytest.mark.parametrize("role", list(HOMES))
def test_each_role_lands_on_its_home(app, client, ctx, role):
    email = _account(role)
    r = submit(client, "/connexion", {"email": email, "password": factories.PASSWORD})
    assert r.status_code == 302
    assert r.location == _expected(app, role)
    page = client.get(r.location)
    assert page.status_code == 200
    # Logged in already: the login page sends to the same home.
    assert client.get("/connexion").location == _expected(app, role)


@pytest.mark.parametrize("role", list(HOMES))
def test_next_to_a_page_of_another_role_lands_home_not_on_403(client, ctx, role):
    email = _account(role)
    r = submit(
        client,
        "/connexion?next=" + FOREIGN[role],
        {"email": email, "password": factories.PASSWORD, "next": FOREIGN[role]},
        form_url="/connexion?next=" + FOREIGN[role],
    )
    assert r.location == FOREIGN[role]
    r = client.get(r.location, follow_redirects=True)
    assert r.status_code == 200
    # Only the first page after the login is redirected: later, a 403 is a 403.
    assert client.get(FOREIGN[role]).status_code == 403


def test_next_to_an_allowed_page_is_kept(client, ctx):
    email = _account("individual")
    r = submit(
        client, "/connexion", {"email": email, "password": factories.PASSWORD, "next": "/partages"}
    )
    assert r.location == "/partages"
    assert client.get("/partages").status_code == 200
