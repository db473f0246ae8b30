"""Server-side sessions: a copied cookie dies with its session; idle and absolute timeouts."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine

from passport.accounts import sessions
from passport.accounts.models import UserSession
from passport.db import utcnow
from passport.extensions import db
from tests import factories
from tests.web import login, submit


def _copy(client, app):
    """A second browser holding a copy of ``client``'s cookies."""
    other = app.test_client()
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            other.set_cookie(name, cookie.value)
    return other


def _logged_in(client) -> bool:
    return client.get("/compte/").status_code == 200


def test_copied_cookie_is_refused_after_logout(app, client, ctx):
    user = factories.holder()
    login(client, user.email)
    thief = _copy(client, app)
    assert _logged_in(thief)
    assert submit(client, "/deconnexion", {}, form_url="/compte/").status_code == 302
    assert not _logged_in(client)
    r = thief.get("/compte/")
    assert r.status_code == 302 and "/connexion" in r.location
    assert thief.get("/passeport/").status_code == 302


def test_session_record_keeps_only_a_hash(app, client, ctx):
    user = factories.holder()
    login(client, user.email)
    secret = _session_user_id(client, app)
    stored = db.session.execute(db.select(UserSession.token_hash)).scalars().all()
    assert len(stored) == 1 and secret not in stored


def _session_user_id(client, app) -> str:
    cookie = client.get_cookie("session")
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(cookie.value)["_user_id"]


def test_password_reset_ends_other_sessions(app, client, ctx):
    from passport.accounts import services as accounts

    user = factories.holder()
    login(client, user.email)
    other = _copy(client, app)
    token = accounts.make_reset_token(user)
    fresh = app.test_client()
    r = submit(
        fresh,
        f"/mot-de-passe/{token}",
        {"password": "a completely new one", "confirm": "a completely new one"},
    )
    assert r.status_code == 302
    assert not _logged_in(client)
    assert not _logged_in(other)


def test_staff_idle_timeout_with_a_moved_clock(app, client, ctx):
    advisor = factories.staff("advisor", factories.structure())
    start = utcnow()
    with time_machine.travel(start, tick=False) as traveller:
        login(client, advisor.email)
        traveller.move_to(start + timedelta(minutes=20))
        assert _logged_in(client)  # activity moves the idle deadline
        traveller.move_to(start + timedelta(minutes=45))
        assert _logged_in(client)
        traveller.move_to(start + timedelta(minutes=76))
        assert not _logged_in(client)
        traveller.move_to(start + timedelta(minutes=77))
        assert not _logged_in(client)  # ended for good
    record = db.session.execute(db.select(UserSession)).scalar_one()
    assert record.ended_at is not None


def test_holders_idle_longer_than_staff(app, client, ctx):
    holder = factories.holder()
    start = utcnow()
    with time_machine.travel(start, tick=False) as traveller:
        login(client, holder.email)
        traveller.move_to(start + timedelta(minutes=100))
        assert _logged_in(client)
        traveller.move_to(start + timedelta(minutes=100 + 121))
        assert not _logged_in(client)


def test_idle_timeout_is_configurable(database_url, tmp_path):
    from tests.conftest import IsolatedClient, _reset, make_app

    app = make_app(database_url, tmp_path, SESSION_IDLE_MINUTES_STAFF=5)
    app.test_client_class = IsolatedClient
    _reset(app, database_url)
    with app.app_context():
        advisor = factories.staff("advisor", factories.structure())
        email = advisor.email
    client = app.test_client()
    start = utcnow()
    with time_machine.travel(start, tick=False) as traveller:
        login(client, email)
        traveller.move_to(start + timedelta(minutes=6))
        assert not _logged_in(client)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_absolute_lifetime_despite_activity(app, client, ctx):
    advisor = factories.staff("advisor", factories.structure())
    start = utcnow()
    with time_machine.travel(start, tick=False) as traveller:
        login(client, advisor.email)
        for minutes in range(25, 12 * 60, 25):
            traveller.move_to(start + timedelta(minutes=minutes))
            assert _logged_in(client), minutes
        traveller.move_to(start + timedelta(hours=12, minutes=1))
        assert not _logged_in(client)


def test_remember_me_keeps_a_holder_longer_but_dies_at_logout(app, client, ctx):
    holder = factories.holder()
    start = utcnow()
    with time_machine.travel(start, tick=False) as traveller:
        r = submit(
            client,
            "/connexion",
            {"email": holder.email, "password": factories.PASSWORD, "remember": "y"},
        )
        assert r.status_code == 302
        assert client.get_cookie("remember_token") is not None
        traveller.move_to(start + timedelta(days=3))
        assert _logged_in(client)
        # The browser was closed: only the remember cookie is left.
        later = app.test_client()
        later.set_cookie("remember_token", client.get_cookie("remember_token").value)
        assert _logged_in(later)
        copy = _copy(client, app)
        submit(client, "/deconnexion", {}, form_url="/compte/")
        assert not _logged_in(copy)
        only_remember = app.test_client()
        only_remember.set_cookie("remember_token", copy.get_cookie("remember_token").value)
        assert not _logged_in(only_remember)


def test_remember_me_does_not_lengthen_staff_sessions(app, client, ctx):
    advisor = factories.staff("advisor", factories.structure())
    start = utcnow()
    with time_machine.travel(start, tick=False) as traveller:
        submit(
            client,
            "/connexion",
            {"email": advisor.email, "password": factories.PASSWORD, "remember": "y"},
        )
        traveller.move_to(start + timedelta(minutes=31))
        assert not _logged_in(client)


def test_account_page_lists_sessions_and_ends_another_one(app, client, ctx):
    holder = factories.holder(name="Léa Martin")
    login(client, holder.email)
    laptop = app.test_client()
    login(laptop, holder.email)
    page = client.get("/compte/").get_data(as_text=True)
    assert page.count("Terminer cette session") == 2
    assert "Cette session" in page
    ids = [int(i) for i in re.findall(r"/compte/sessions/(\d+)/fin", page)]
    current = sessions.current_session_id  # noqa: F841 (documented helper)
    others = [r.id for r in db.session.execute(db.select(UserSession)).scalars() if r.id in ids]
    assert len(others) == 2
    # The confirmation page, then the POST, end the laptop's session only.
    laptop_id = max(ids)
    confirm = client.get(f"/compte/sessions/{laptop_id}/fin")
    assert confirm.status_code == 200 and "Oui, terminer la session" in confirm.get_data(
        as_text=True
    )
    r = submit(client, f"/compte/sessions/{laptop_id}/fin", {})
    assert r.status_code == 302
    assert not _logged_in(laptop)
    assert _logged_in(client)


def test_cannot_end_someone_elses_session(app, client, ctx):
    a, b = factories.holder(), factories.holder()
    other = app.test_client()
    login(other, b.email)
    login(client, a.email)
    b_session = db.session.execute(
        db.select(UserSession).where(UserSession.user_id == b.id)
    ).scalar_one()
    assert client.get(f"/compte/sessions/{b_session.id}/fin").status_code == 404
    assert _logged_in(other)


def test_log_out_everywhere(app, client, ctx):
    holder = factories.holder()
    login(client, holder.email)
    phone = app.test_client()
    login(phone, holder.email)
    assert "Se déconnecter partout ?" in client.get("/compte/deconnexion-partout").get_data(
        as_text=True
    )
    r = submit(client, "/compte/deconnexion-partout", {})
    assert r.status_code == 302 and "/connexion" in r.location
    assert not _logged_in(client)
    assert not _logged_in(phone)


def test_header_shows_who_and_for_which_structure(app, client, ctx):
    structure = factories.structure(name="Mission locale de Dreux")
    advisor = factories.staff("advisor", structure, name="Camille Roux")
    login(client, advisor.email)
    page = client.get("/compte/").get_data(as_text=True)
    assert "Camille Roux · Mission locale de Dreux" in page


def test_deactivated_user_session_refused(app, client, ctx):
    holder = factories.holder()
    login(client, holder.email)
    holder.active = False
    db.session.commit()
    assert not _logged_in(client)
    assert db.session.execute(db.select(UserSession.ended_at)).scalar_one() is not None
