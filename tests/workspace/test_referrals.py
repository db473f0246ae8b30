"""The referral inbox of the receiving structure, the sender's tab, status changes."""

from __future__ import annotations

import pytest

from passport.extensions import db
from passport.passports import services as passports
from passport.passports.models import Referral
from passport.records import services as records
from passport.records.access import log_access
from passport.sharing.models import AccessLogEntry
from passport.workspace import services as workspace
from tests import factories
from tests.referrals import WEB_APPOINTMENT
from tests.sharing_web.helpers import assert_private, text
from tests.web import login, submit


def _referrals(network, holder, count: int, **kwargs) -> list[Referral]:
    passport = passports.passport_of(holder)
    made = [
        records.send_referral(
            network["ml"],
            passport.id,
            network["cio"],
            needs=["orientation"],
            message=kwargs.get("message", f"Message {i}"),
            advisor=network["ml_advisor"],
        )
        for i in range(count)
    ]
    db.session.commit()
    return made


def test_inbox_lists_referrals_with_needs_message_and_sender(cio_client, holder, network):
    _referrals(network, holder, 1, message="Souhaite un bilan d'orientation")
    r = cio_client.get("/espace/orientations")
    assert r.status_code == 200
    assert_private(r)
    page = text(r)
    assert "Léa Martin" in page
    assert "Souhaite un bilan d'orientation" in page
    assert "Envoyée par Mission locale de Dreux (Camille Roux)" in page
    assert ">Orientation<" in page  # the need's label
    assert "Marquer comme reçue" in page and "Décliner…" in page
    assert "Rendez-vous fixé</button>" not in page.replace("\n", "")  # not allowed from "sent"


def test_the_sender_sees_status_in_its_tab_but_cannot_change_it(advisor_client, holder, network):
    referral = _referrals(network, holder, 1)[0]
    page = text(advisor_client.get("/espace/orientations/envoyees"))
    assert "Envoyée à CIO de Dreux" in page and 'status--sent">Envoyée<' in page
    assert "Marquer comme reçue" not in page
    assert "Aucune orientation reçue" in text(advisor_client.get("/espace/orientations"))
    r = submit(
        advisor_client,
        f"/espace/orientations/{referral.id}/statut",
        {"status": "received"},
        form_url="/espace/orientations",
    )
    assert r.status_code == 403
    detail = advisor_client.get(f"/espace/orientations/{referral.id}")
    assert detail.status_code == 200 and "Marquer comme reçue" not in text(detail)


def test_other_structures_do_not_see_a_referral(app, holder, network):
    referral = _referrals(network, holder, 1)[0]
    third = factories.structure("CAP28", "CAP", name="Cap emploi 28")
    factories.staff("advisor", third, "x@cap.example.org")
    c = app.test_client()
    login(c, "x@cap.example.org")
    assert c.get(f"/espace/orientations/{referral.id}").status_code == 404
    r = submit(
        c,
        f"/espace/orientations/{referral.id}/statut",
        {"status": "received"},
        form_url="/espace/orientations",
    )
    assert r.status_code == 404
    assert "Léa Martin" not in text(c.get("/espace/orientations"))


def test_workflow_received_appointment_completed(
    cio_client, advisor_client, holder, network, client
):
    referral = _referrals(network, holder, 1)[0]
    url = f"/espace/orientations/{referral.id}/statut"
    r = submit(cio_client, url, {"status": "received", "note": ""}, form_url="/espace/orientations")
    assert r.status_code == 302
    r = submit(
        cio_client,
        url,
        {"status": "appointment", "note": "RDV le 2 juin à 10 h"},
        form_url="/espace/orientations",
    )
    assert r.status_code == 200  # the appointment's details first
    assert "Date du rendez-vous" in text(r)
    r = submit(
        cio_client,
        url,
        {
            "status": "appointment",
            "note": "RDV le 2 juin à 10 h",
            "confirm": "1",
            **WEB_APPOINTMENT,
        },
        form_url="/espace/orientations",
    )
    assert r.status_code == 302
    r = submit(cio_client, url, {"status": "completed"}, form_url="/espace/orientations")
    assert r.status_code == 302
    db.session.expire_all()
    referral = db.session.get(Referral, referral.id)
    assert referral.status == "completed"
    assert [e.status for e in referral.events] == ["received", "appointment", "completed"]
    assert all(e.signature for e in referral.events)
    # A transition the workflow forbids: a clear French message, 409.
    r = submit(cio_client, url, {"status": "received"}, form_url="/espace/orientations")
    assert r.status_code == 409
    page = text(r)
    assert "Cette orientation est déjà « Terminée »" in page
    assert "plus aucun changement possible" in page
    # The sender sees the new status; the holder sees the history.
    assert 'status--completed">Terminée<' in text(
        advisor_client.get("/espace/orientations/envoyees")
    )
    holder_page = text(client.get("/passeport/orientations"))
    assert "RDV le 2 juin à 10 h" in holder_page and "Terminée" in holder_page


def test_declining_asks_for_a_confirmation(cio_client, holder, network):
    referral = _referrals(network, holder, 1)[0]
    url = f"/espace/orientations/{referral.id}/statut"
    r = submit(
        cio_client,
        url,
        {"status": "declined", "note": "Hors de notre champ"},
        form_url="/espace/orientations",
    )
    assert r.status_code == 200
    page = text(r)
    assert "Décliner cette orientation ?" in page and "Hors de notre champ" in page
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == "sent"
    r = submit(
        cio_client,
        url,
        {"status": "declined", "note": "Hors de notre champ", "confirm": "1"},
        form_url="/espace/orientations",
    )
    assert r.status_code == 422  # a decline needs its reason
    assert "Choisissez la raison du refus." in text(r)
    r = submit(
        cio_client,
        url,
        {
            "status": "declined",
            "note": "Hors de notre champ",
            "confirm": "1",
            "reason": "no_capacity",
        },
        form_url="/espace/orientations",
    )
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == "declined"


def test_unknown_status_is_a_form_error(cio_client, holder, network):
    referral = _referrals(network, holder, 1)[0]
    r = submit(
        cio_client,
        f"/espace/orientations/{referral.id}/statut",
        {"status": "sent"},
        form_url="/espace/orientations",
    )
    assert r.status_code == 422
    r = submit(
        cio_client,
        f"/espace/orientations/{referral.id}/statut",
        {"status": "<b>"},
        form_url="/espace/orientations",
    )
    assert r.status_code == 422


def test_filter_by_status_and_pagination(cio_client, holder, network):
    referrals = _referrals(network, holder, 23)
    records.change_referral_status(referrals[0], network["cio"], "received")
    db.session.commit()
    page = text(cio_client.get("/espace/orientations?statut=received"))
    assert "1 orientation" in page and "Message 0" in page and "Message 5" not in page
    assert 'option value="received" selected' in page
    first = text(cio_client.get("/espace/orientations?tri=recent"))
    assert "23 orientations" in first and "Message 22" in first and "Message 1<" not in first
    assert 'aria-label="Pages des orientations"' in first
    second = text(cio_client.get("/espace/orientations?tri=recent&page=2"))
    assert "Message 1<" in second or "Message 1\n" in second
    # By default, the longest waiting first: the oldest first.
    waiting = text(cio_client.get("/espace/orientations"))
    assert waiting.index("Message 0<") < waiting.index("Message 1<")
    assert "Message 22" not in waiting
    empty = text(cio_client.get("/espace/orientations?statut=declined"))
    assert "Aucune orientation dans l'état « Déclinée »." in empty
    assert cio_client.get("/espace/orientations?statut=nope&page=abc").status_code == 200


def _count(client, count_queries, url) -> int:
    with count_queries() as q:
        r = client.get(url)
    assert r.status_code == 200
    return q.count


@pytest.mark.parametrize("url", ["/espace/orientations", "/espace/orientations/envoyees"])
def test_referral_lists_cost_the_same_with_1_or_100_rows(app, holder, network, count_queries, url):
    client = app.test_client()
    login(
        client, "sami@cio.example.org" if url.endswith("orientations") else "camille@ml.example.org"
    )
    made = _referrals(network, holder, 1)
    records.change_referral_status(made[0], network["cio"], "received", note="vu")
    db.session.commit()
    one = _count(client, count_queries, url + "?page=1")
    more = _referrals(network, holder, 99)
    for r in more[:50]:
        records.change_referral_status(r, network["cio"], "received", note="vu")
    db.session.commit()
    many = _count(client, count_queries, url + "?page=1")
    assert one == many
    many_page_5 = _count(client, count_queries, url + "?page=5")
    assert many_page_5 == many
    assert many <= 8


def test_access_log_costs_the_same_with_1_or_100_rows(app, network, count_queries, ctx):
    from passport.sharing import services as sharing

    user = factories.holder("lea@example.org")
    client = app.test_client()
    login(client, "lea@example.org")
    passport = passports.passport_of(user)
    share = sharing.create_share(
        passport, sections=["cpf"], permissions=["read"], expires_in_days=5
    ).share
    log_access(share, structure=network["ml"], advisor=network["ml_advisor"], action="view")
    db.session.commit()
    one = _count(client, count_queries, "/partages/historique")
    for i in range(99):
        action = ("view", "append", "denied")[i % 3]
        log_access(share, structure=network["cio"], advisor=None, action=action)
    db.session.commit()
    many = _count(client, count_queries, "/partages/historique")
    assert one == many
    assert many <= 10
    assert db.session.execute(db.select(db.func.count(AccessLogEntry.id))).scalar_one() == 100


def test_referrals_of_an_erased_passport_leave_the_inbox_but_stay_counted(ctx):
    from passport.extensions import db
    from passport.passports import services as passports
    from passport.passports.models import Referral
    from passport.trust.erasure import erase_holder
    from tests import factories

    sender = factories.structure("ML-E")
    receiver = factories.structure("CIO-E", type_="CIO")
    holder = factories.holder()
    passport = passports.passport_of(holder)
    records.send_referral(sender, passport.id, receiver, needs=["orientation"], message="Léa")
    db.session.commit()
    assert workspace.referrals_page(receiver)[1] == 1
    erase_holder(holder.id)
    db.session.commit()
    items, total, _names = workspace.referrals_page(receiver)
    assert (items, total) == ([], 0)
    assert workspace.referrals_page(sender, direction="sent")[1] == 0
    kept = db.session.execute(db.select(Referral)).scalar_one()
    assert kept.passport_id is None and kept.message is None
