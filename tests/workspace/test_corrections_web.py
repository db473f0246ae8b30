"""Corrections and attested CPF statements in the workspace; the holder's request for one."""

from __future__ import annotations

import html
import re
from decimal import Decimal

from passport.extensions import db
from passport.notifications.models import OutgoingMail
from passport.passports.models import (
    Correction,
    CorrectionRequest,
    CpfStatement,
    Reception,
    Training,
)
from tests.sharing_web.helpers import create_share, open_link, text
from tests.web import submit

RECEPTION = {
    "date": "2026-05-20",
    "channel": "in_person",
    "needs": ["job_search"],
    "situation": "",
    "outcome": "",
    "summary": "",
}


def _opened(client, advisor_client, **share) -> int:
    share_id, token = create_share(client, **share)
    r = open_link(advisor_client, token)
    assert r.status_code == 302, text(r)[:500]
    return share_id


def _reception(advisor_client, share_id: int) -> Reception:
    r = submit(advisor_client, f"/espace/partages/{share_id}/accueil", RECEPTION)
    assert r.status_code == 302, text(r)[:1000]
    return db.session.execute(db.select(Reception)).scalars().one()


def _correct(client, url: str, data: dict):
    """The two steps: the form, then the confirmation page's own form."""
    first = submit(client, url, data)
    assert first.status_code == 200, text(first)[:2000]
    page = text(first)
    assert "Confirmer la correction" in page
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    body: dict[str, list[str]] = {}
    for name, value in fields:
        body.setdefault(name, []).append(html.unescape(value))
    return client.post(url, data=body)


def test_a_structure_attests_a_cpf_statement_in_french(client, holder, advisor_client, network):
    share_id = _opened(client, advisor_client)
    page = text(advisor_client.get(f"/espace/partages/{share_id}"))
    assert "Attester un relevé CPF" in page
    r = submit(
        advisor_client,
        f"/espace/partages/{share_id}/cpf",
        {"as_of": "2026-01-31", "balance_eur": "1\u202f250,50 €", "dif_hours": ""},
    )
    assert r.status_code == 302, text(r)[:2000]
    statement = db.session.execute(db.select(CpfStatement)).scalars().one()
    assert statement.balance_cents == 125050 and statement.issuer_structure_id == network["ml"].id
    assert statement.signature
    r = submit(
        advisor_client,
        f"/espace/partages/{share_id}/cpf",
        {"as_of": "2026-01-31", "balance_eur": "1.250,5"},
    )
    assert r.status_code == 422
    assert 'id="balance_eur-error"' in text(r)
    assert db.session.execute(db.select(db.func.count(CpfStatement.id))).scalar_one() == 1


def test_the_issuer_withdraws_a_record_after_confirming(client, holder, advisor_client, network):
    share_id = _opened(client, advisor_client)
    reception = _reception(advisor_client, share_id)
    url = f"/espace/partages/{share_id}/corriger/reception/{reception.id}"
    assert url in text(advisor_client.get(f"/espace/partages/{share_id}"))

    # No reason: an error next to the field, nothing written.
    r = submit(advisor_client, url, {"action": "withdraw", "reason": ""})
    assert r.status_code == 422 and 'id="reason-error"' in text(r)
    # The first step only asks to confirm.
    first = submit(advisor_client, url, {"action": "withdraw", "reason": "Mauvais passeport"})
    assert "Retirer l&#39;enregistrement" in text(first) or "Retirer l'enregistrement" in text(
        first
    )
    assert db.session.execute(db.select(Correction)).first() is None

    r = _correct(advisor_client, url, {"action": "withdraw", "reason": "Mauvais passeport"})
    assert r.status_code == 302
    correction = db.session.execute(db.select(Correction)).scalars().one()
    assert correction.action == "withdraw" and correction.reason == "Mauvais passeport"
    assert correction.issuer_advisor_id == network["ml_advisor"].id and correction.signature

    # The holder sees it struck through, with the reason; the workspace too.
    for page in (
        text(client.get("/passeport/")),
        text(advisor_client.get(f"/espace/partages/{share_id}")),
    ):
        assert "card--withdrawn" in page and '<del class="card__struck">' in page
        assert "Retiré par Mission locale de Dreux" in page and "Mauvais passeport" in page
    assert url not in text(advisor_client.get(f"/espace/partages/{share_id}"))  # done
    # Nothing after a withdrawal.
    r = advisor_client.get(url)
    assert r.status_code == 302


def test_a_rectification_with_french_numbers(client, holder, advisor_client, network):
    share_id = _opened(client, advisor_client)
    r = submit(
        advisor_client,
        f"/espace/partages/{share_id}/formation",
        {"title": "CACES R489", "status": "completed", "hours": "35"},
    )
    assert r.status_code == 302
    training = db.session.execute(db.select(Training)).scalars().one()
    url = f"/espace/partages/{share_id}/corriger/training/{training.id}"
    values = {"new-title": "CACES R489", "new-status": "completed", "new-hours": "35"}
    # Nothing changed: said next to the choice.
    r = submit(advisor_client, url, {"action": "rectify", "reason": "x", **values})
    assert r.status_code == 422 and "aucune information" in text(r)
    r = _correct(
        advisor_client,
        url,
        {"action": "rectify", "reason": "42,5 heures", **values, "new-hours": "42,5"},
    )
    assert r.status_code == 302
    correction = db.session.execute(db.select(Correction)).scalars().one()
    assert correction.changes == {"hours": 42.5}
    page = text(client.get("/passeport/formations"))
    assert "42,5 heures" in page and "Rectifié par Mission locale de Dreux" in page
    assert "Avant la rectification" in page and "35 heures" in page
    # Rectified once: only a withdrawal is offered now.
    page = text(advisor_client.get(url))
    assert 'value="rectify"' not in page and 'value="withdraw"' in page
    assert training.hours == Decimal("35.0")  # the record itself never changes


def test_only_the_issuing_structure_sees_and_uses_the_button(
    client, holder, advisor_client, cio_client, network
):
    share_id = _opened(client, advisor_client)
    reception = _reception(advisor_client, share_id)
    r = open_link(cio_client, create_share(client)[1])
    assert r.status_code == 302
    cio_share = int(r.headers["Location"].rsplit("/", 1)[1])
    page = text(cio_client.get(f"/espace/partages/{cio_share}"))
    assert "Accueil à Mission locale de Dreux" in page and "Rectifier ou retirer" not in page
    r = cio_client.get(f"/espace/partages/{cio_share}/corriger/reception/{reception.id}")
    assert r.status_code == 403
    r = advisor_client.get(f"/espace/partages/{share_id}/corriger/training/{reception.id}")
    assert r.status_code == 404


def test_the_holder_asks_for_a_correction_and_the_structure_answers(
    app, client, holder, advisor_client, network
):
    share_id = _opened(client, advisor_client)
    reception = _reception(advisor_client, share_id)
    url = f"/passeport/corrections/reception/{reception.id}"
    assert url in text(client.get("/passeport/"))
    r = submit(client, url, {"message": ""})
    assert r.status_code == 422 and 'id="message-error"' in text(r)
    r = submit(client, url, {"message": "Je ne suis pas venue ce jour-là."})
    assert r.status_code == 302
    request = db.session.execute(db.select(CorrectionRequest)).scalars().one()
    assert request.structure_id == network["ml"].id and request.closed_at is None
    mails = db.session.execute(db.select(OutgoingMail)).scalars().all()
    assert [m.to_address for m in mails] == ["camille@ml.example.org"]
    assert "demande une correction" in mails[0].subject
    assert "pas venue" not in mails[0].text_body  # the message stays in the workspace
    assert "/espace/demandes-de-correction" in mails[0].text_body

    # The structure's inbox points to it; the request page shows it.
    assert "Voir les demandes de correction" in text(advisor_client.get("/espace/orientations"))
    page = text(advisor_client.get("/espace/demandes-de-correction"))
    assert "Demande de Léa Martin" in page and "Je ne suis pas venue ce jour-là." in page
    r = _correct(
        advisor_client,
        f"/espace/demandes-de-correction/{request.id}/corriger",
        {"action": "withdraw", "reason": "Accueil d'une autre personne"},
    )
    assert r.status_code == 302
    db.session.expire_all()
    request = db.session.get(CorrectionRequest, request.id)
    assert request.closed_at is not None and request.correction.action == "withdraw"
    assert "Aucune demande en attente." in text(
        advisor_client.get("/espace/demandes-de-correction")
    )
    page = text(client.get(url))
    assert "la structure a corrigé l" in page
    assert "Envoyer la demande" not in page  # withdrawn: nothing left to ask


def test_a_request_closed_without_correction(client, holder, advisor_client, network, cio_client):
    share_id = _opened(client, advisor_client)
    reception = _reception(advisor_client, share_id)
    submit(client, f"/passeport/corrections/reception/{reception.id}", {"message": "Date fausse"})
    request = db.session.execute(db.select(CorrectionRequest)).scalars().one()
    # Another structure cannot see or close it.
    assert "Date fausse" not in text(cio_client.get("/espace/demandes-de-correction"))
    r = submit(
        cio_client,
        f"/espace/demandes-de-correction/{request.id}/classer",
        {},
        form_url="/espace/demandes-de-correction",
    )
    assert r.status_code == 404
    r = submit(
        advisor_client,
        f"/espace/demandes-de-correction/{request.id}/classer",
        {},
        form_url="/espace/demandes-de-correction",
    )
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(CorrectionRequest, request.id).closed_at is not None
    page = text(client.get(f"/passeport/corrections/reception/{reception.id}"))
    assert "classé la demande sans correction" in page


def test_what_the_holder_declared_has_no_request_button(client, holder):
    submit(client, "/passeport/formations/ajouter", {"title": "CAP Boulanger", "status": "planned"})
    training = db.session.execute(db.select(Training)).scalars().one()
    assert "Demander une correction" not in text(client.get("/passeport/formations"))
    assert client.get(f"/passeport/corrections/training/{training.id}").status_code == 404
    assert client.get("/passeport/corrections/passport/1").status_code == 404
