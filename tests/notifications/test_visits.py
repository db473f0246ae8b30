"""One visit, one notice, one mail: the accesses of a structure grouped (issues 9 and 11).

A share read writes one access-log row; the worker (``worker --burst``) groups the rows
into visits, keeps one in-app notice per visit, and mails the holder once the visit has
been quiet for VISIT_MINUTES. Time is moved with time-machine.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from passport.accounts.models import User
from passport.extensions import db
from passport.notifications import preferences, queue, visits
from passport.notifications.models import JobKey
from passport.sharing import services as sharing
from passport.sharing.models import AccessLogEntry, Notification, Visit
from tests import factories
from tests.mailbox import burst, html_of, outbox, text_of
from tests.referrals import body_for
from tests.sharing.world import build_world, expire_share, make_share
from tests.web import login

START = datetime(2026, 6, 2, 8, 0, tzinfo=UTC)  # 10:00 in Paris, a Tuesday
RECEPTION = {"date": "2026-06-02", "channel": "in_person", "needs": ["vae"], "summary": "VAE"}
LEA = "Léa Martin"


@pytest.fixture
def world(app):
    return build_world(app)


def _holder_email(world) -> str:
    return db.session.get(User, world.holder_id).email


def _visits(app) -> list[Visit]:
    with app.app_context():
        found = list(db.session.execute(db.select(Visit).order_by(Visit.id)).scalars().unique())
        db.session.expunge_all()
        return found


def _notices(app, world) -> list[Notification]:
    with app.app_context():
        found = list(
            db.session.execute(
                db.select(Notification)
                .where(Notification.user_id == world.holder_id)
                .order_by(Notification.id)
            )
            .scalars()
            .unique()
        )
        for n in found:
            _ = n.visit and n.visit.structure and n.visit.advisor  # loaded before expunge
        db.session.expunge_all()
        return found


def _summary(app, visit_id: int) -> str:
    with app.app_context(), app.test_request_context("/"):
        from passport.notifications.wording import summary

        return summary(db.session.get(Visit, visit_id))


def _mails_to(app, address: str):
    return [m for m in outbox(app) if m["To"] == address]


def _visit_of_camille(client, world, token: str) -> None:
    """The Mission locale's advisor reads twice and records a first reception."""
    assert client.get(f"/api/v1/shared/{token}", headers=world.advisor).status_code == 200
    r = client.post(f"/api/v1/shared/{token}/receptions", json=RECEPTION, headers=world.advisor)
    assert r.status_code == 201, r.get_json()
    assert client.get(f"/api/v1/shared/{token}", headers=world.advisor).status_code == 200


def test_the_accesses_of_one_advisor_make_one_visit_one_notice_one_mail(app, client, runner, world):
    with time_machine.travel(START, tick=False):
        share = make_share(client, world, label="Mission locale, 2 juin")
        _visit_of_camille(client, world, share["token"])
        assert _notices(app, world) == []  # the request wrote the rows, nothing else
        burst(runner)
    [visit] = _visits(app)
    assert (visit.views, visit.appends, visit.denials) == (2, 1, 0)
    assert visit.added == {"reception": 1}
    assert _summary(app, visit.id) == (
        "La Mission locale de Dreux (Camille R.) a consulté votre passeport (profil, accueils, "
        "orientations, formations, CPF) et ajouté un premier accueil."
    )
    [notice] = _notices(app, world)
    assert notice.kind == "visit" and notice.visit_id == visit.id and notice.read_at is None
    assert _mails_to(app, _with(app, _holder_email, world)) == []  # not quiet yet

    # Twenty minutes later the same advisor reads again: the same visit, the same notice.
    with time_machine.travel(START + timedelta(minutes=20), tick=False):
        assert client.get(f"/api/v1/shared/{share['token']}", headers=world.advisor).status_code
        burst(runner)
    [visit] = _visits(app)
    assert visit.views == 3 and len(_notices(app, world)) == 1

    # Quiet for VISIT_MINUTES: one grouped mail, never two.
    with time_machine.travel(START + timedelta(minutes=51), tick=False):
        burst(runner)
        burst(runner, "--schedule")
    address = _with(app, _holder_email, world)
    [mail] = _mails_to(app, address)
    assert mail["Subject"] == "La Mission locale de Dreux a consulté votre passeport"
    body = text_of(mail)
    assert (
        "La Mission locale de Dreux (Camille R.) a consulté votre passeport (profil, accueils, "
        "orientations, formations, CPF) et ajouté un premier accueil."
    ) in " ".join(body.split())
    assert "Bonjour Léa Martin," in body
    assert "le 2 juin 2026 de 10:00 à 10:20" in body
    assert "/partages/historique" in body and "/compte/e-mails" in body
    assert share["token"] not in body and share["token"] not in html_of(mail)
    with app.app_context():
        assert db.session.get(JobKey, f"visit:{visit.id}:mail") is not None

    # A later access starts a new visit (and its own notice).
    with time_machine.travel(START + timedelta(hours=3), tick=False):
        client.get(f"/api/v1/shared/{share['token']}", headers=world.advisor)
        burst(runner)
    assert len(_visits(app)) == 2 and len(_notices(app, world)) == 2
    assert len(_mails_to(app, address)) == 1


def _with(app, function, *args):
    with app.app_context():
        return function(*args)


def test_refused_attempts_are_told_with_their_reason(app, client, runner, world):
    with time_machine.travel(START, tick=False):
        guarded = make_share(client, world, structure="ML28", passcode="7391")
        url = f"/api/v1/shared/{guarded['token']}"
        assert client.get(url, headers=world.cap_key).status_code == 403  # other structure
        wrong = {**world.advisor, "X-Share-Passcode": "0000"}
        assert client.get(url, headers=wrong).status_code == 401
        assert client.get(url, headers=world.advisor).status_code == 401  # no passcode
        old = make_share(client, world)
        expire_share(app, old["id"])
        assert client.get(f"/api/v1/shared/{old['token']}", headers=world.ft_key).status_code == 410
        burst(runner)
    texts = {v.id: _summary(app, v.id) for v in _visits(app)}
    assert sorted(texts.values()) == [
        "Cap emploi 28 a essayé d'ouvrir votre passeport. "
        "L'accès a été refusé (lien destiné à une autre structure).",
        "France Travail Dreux a essayé d'ouvrir votre passeport. "
        "L'accès a été refusé (lien expiré).",
        "La Mission locale de Dreux (Camille R.) a essayé d'ouvrir votre passeport. "
        "L'accès a été refusé 2 fois (code d'accès faux, sans le code d'accès).",
    ]
    assert len(_notices(app, world)) == 3
    with time_machine.travel(START + timedelta(minutes=31), tick=False):
        burst(runner, "--schedule")
    subjects = sorted(m["Subject"] for m in _mails_to(app, _with(app, _holder_email, world)))
    assert subjects[0] == "Cap emploi 28 a essayé d'ouvrir votre passeport"
    assert len(subjects) == 3


def test_a_visit_that_grows_after_being_read_is_new_again(app, client, runner, world):
    with time_machine.travel(START, tick=False):
        share = make_share(client, world)
        client.get(f"/api/v1/shared/{share['token']}", headers=world.ml_key)
        burst(runner)
    with app.app_context():
        holder = db.session.get(User, world.holder_id)
        assert sharing.mark_read(holder) == 1
        db.session.commit()
    with time_machine.travel(START + timedelta(minutes=5), tick=False):
        r = client.post(
            f"/api/v1/shared/{share['token']}/trainings",
            json={"title": "CAP Petite enfance", "status": "completed"},
            headers=world.ml_key,
        )
        assert r.status_code == 201
        burst(runner)
    [notice] = _notices(app, world)
    assert notice.read_at is None  # unread again: something new
    [visit] = _visits(app)
    assert _summary(app, visit.id).startswith(
        "La Mission locale de Dreux a consulté votre passeport"
    )
    assert "et attesté une formation." in _summary(app, visit.id)
    # The same job run again changes nothing (and does not make it unread again).
    with app.app_context():
        sharing.mark_read(db.session.get(User, world.holder_id))
        db.session.commit()
        for entry_id in db.session.execute(db.select(AccessLogEntry.id)).scalars():
            queue.enqueue_now("note_access", entry_id, None)
    burst(runner)
    [again] = _visits(app)
    assert (again.views, again.appends, again.added) == (visit.views, visit.appends, visit.added)
    assert _notices(app, world)[0].read_at is not None


def test_the_holder_who_turned_the_mail_off_gets_none(app, client, runner, world):
    with app.app_context():
        preferences.save_preferences(db.session.get(User, world.holder_id), visits=False)
        db.session.commit()
    with time_machine.travel(START, tick=False):
        share = make_share(client, world)
        client.get(f"/api/v1/shared/{share['token']}", headers=world.ml_key)
        burst(runner)
    with time_machine.travel(START + timedelta(minutes=40), tick=False):
        burst(runner, "--schedule")
    assert _mails_to(app, _with(app, _holder_email, world)) == []
    assert len(_notices(app, world)) == 1  # the in-app notice stays
    [visit] = _visits(app)
    assert visit.mailed_at is not None  # decided: a later access is a new visit


def test_the_grouped_mail_goes_through_a_real_smtp_server(smtp_app, smtp, client, runner, world):
    with time_machine.travel(START, tick=False):
        share = make_share(client, world)
        _visit_of_camille(client, world, share["token"])
        burst(runner)
    with time_machine.travel(START + timedelta(minutes=31), tick=False):
        burst(runner)  # the delayed job of the last access
    [message] = smtp.messages
    assert message["Subject"] == "La Mission locale de Dreux a consulté votre passeport"
    assert message["X-Passport-Event"].startswith("visit:")


def test_a_referral_status_change_is_a_visit_of_the_receiving_structure(app, client, runner, world):
    with time_machine.travel(START, tick=False):
        share = make_share(client, world)
        r = client.post(
            f"/api/v1/shared/{share['token']}/referrals",
            json={"to_structure": "CAP28", "needs": ["job_search"]},
            headers=world.advisor,
        )
        rid = r.get_json()["id"]
        for status in ("received", "appointment"):
            patched = client.patch(
                f"/api/v1/referrals/{rid}", json=body_for(status), headers=world.cap_advisor
            )
            assert patched.status_code == 200
        burst(runner)
    cap = next(v for v in _visits(app) if v.share_id is None)
    assert cap.added == {"status:received": 1, "status:appointment": 1}
    assert _summary(app, cap.id) == (
        "Cap emploi 28 (Sami H.) a mis à jour votre fiche navette "
        "(« Reçue », puis « Rendez-vous fixé »)."
    )
    ml = next(v for v in _visits(app) if v.share_id is not None)
    assert ml.added == {"referral": 1}
    assert _summary(app, ml.id) == (
        "La Mission locale de Dreux (Camille R.) a envoyé une fiche navette."
    )


def test_a_lost_job_is_made_up_by_the_schedule(app, client, runner, world):
    with time_machine.travel(START, tick=False):
        share = make_share(client, world)
        client.get(f"/api/v1/shared/{share['token']}", headers=world.ml_key)
    with app.app_context():
        queue.huey_of(app).flush()  # the queue lost everything
    with time_machine.travel(START + timedelta(minutes=5), tick=False):
        burst(runner, "--schedule")
    [visit] = _visits(app)
    assert visit.views == 1 and len(_notices(app, world)) == 1
    with time_machine.travel(START + timedelta(minutes=40), tick=False):
        burst(runner, "--schedule")
    assert len(_mails_to(app, _with(app, _holder_email, world))) == 1


# ------------------------------------------------------------------ the holder's page


def _log_in_as_holder(app, client, world) -> None:
    with app.app_context():
        email = db.session.get(User, world.holder_id).email
    login(client, email)


def test_the_access_log_page_shows_visits_each_with_its_entries(app, client, runner, world):
    with time_machine.travel(START, tick=False):
        share = make_share(client, world, structure="ML28", passcode="7391")
        url = f"/api/v1/shared/{share['token']}"
        client.get(url, headers={**world.advisor, "X-Share-Passcode": "1111"})
        client.get(url, headers={**world.advisor, "X-Share-Passcode": "7391"})
        burst(runner)
    web = app.test_client()
    _log_in_as_holder(app, web, world)
    page = web.get("/partages/historique").get_data(as_text=True)
    assert (
        "La Mission locale de Dreux (Camille R.) a consulté votre passeport (profil, accueils, "
        "orientations, formations, CPF). 1 tentative a été refusée (code d&#39;accès faux)."
    ) in page
    assert "<details" in page and "Le détail : 2 accès" in page
    assert "raison : code d'accès faux" in html.unescape(page)
    assert "Camille Roux" in page  # the entries name the advisor
    assert "Nouveau" in page
    assert "Nouveau<" not in web.get("/partages/historique").get_data(as_text=True)


def test_rows_not_grouped_yet_are_listed_on_their_own(app, client, world):
    share = make_share(client, world)
    client.get(f"/api/v1/shared/{share['token']}", headers=world.ml_key)  # no worker
    web = app.test_client()
    _log_in_as_holder(app, web, world)
    page = web.get("/partages/historique").get_data(as_text=True)
    assert "Derniers accès" in page and "Mission locale de Dreux" in page
    assert "Personne n&#39;a encore ouvert" not in page


def test_the_access_log_page_is_paginated_by_visit_at_a_constant_cost(
    app, client, runner, world, count_queries
):
    share = make_share(client, world)
    web = app.test_client()
    _log_in_as_holder(app, web, world)

    def open_at(minutes: int) -> None:
        with time_machine.travel(START + timedelta(minutes=minutes), tick=False):
            client.get(f"/api/v1/shared/{share['token']}", headers=world.ml_key)

    open_at(0)
    burst(runner)
    web.get("/partages/historique")  # marks read
    with count_queries() as q:
        assert web.get("/partages/historique").status_code == 200
    one = q.count
    for i in range(1, 25):  # 24 more visits, an hour apart
        open_at(60 * i)
    burst(runner)
    web.get("/partages/historique")
    with count_queries() as q:
        first = web.get("/partages/historique").get_data(as_text=True)
    assert q.count == one
    assert first.count('class="access access--view"') == 20
    second = web.get("/partages/historique?page=2").get_data(as_text=True)
    assert second.count('class="access access--view"') == 5


def test_visits_go_with_the_access_log_after_a_year(app, client, runner, world):
    with time_machine.travel(START, tick=False):
        share = make_share(client, world)
        client.get(f"/api/v1/shared/{share['token']}", headers=world.ml_key)
        burst(runner)
    with time_machine.travel(START + timedelta(days=366), tick=False), app.app_context():
        assert sharing.purge_access_log() == 1
        db.session.commit()
        assert db.session.execute(db.select(Visit)).first() is None
        assert db.session.execute(db.select(Notification)).first() is None


def test_the_record_classes_are_found_whatever_they_are(app):
    with app.app_context():
        names = {c.__tablename__ for c in visits.record_classes()}
    assert {"receptions", "referrals", "referral_events", "trainings"} <= names


def test_a_holder_of_another_passport_sees_nothing_of_it(app, client, runner, world):
    with time_machine.travel(START, tick=False):
        share = make_share(client, world)
        client.get(f"/api/v1/shared/{share['token']}", headers=world.ml_key)
        burst(runner)
    with app.app_context():
        factories.holder("noe2@example.org")
        db.session.commit()
    web = app.test_client()
    login(web, "noe2@example.org")
    page = web.get("/partages/historique").get_data(as_text=True)
    assert "Mission locale de Dreux" not in page
