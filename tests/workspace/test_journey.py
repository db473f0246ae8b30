"""The whole issue-3 journey through the site, with CSRF on:

holder shares → advisor logs in through the link (passcode) → adds a reception and a
referral → the receiving structure handles the referral → the holder reads the access log
and revokes → the link answers 410.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from passport.extensions import db
from passport.notifications import queue
from passport.passports.models import Referral
from tests.referrals import WEB_APPOINTMENT
from tests.sharing_web.helpers import assert_private, create_share, login_to, text
from tests.web import submit


def test_full_sharing_journey(app, client, holder, network):
    # 1. The holder shares profile and records with the Mission locale, with a passcode.
    share_id, token = create_share(
        client, structure="ML28", passcode="soleil-28", label="Mission locale, 3 juin"
    )
    assert "Mission locale, 3 juin" in text(client.get("/partages"))

    # 2. The advisor, not logged in yet, opens the link: login, then back without the token.
    advisor = app.test_client()
    r = advisor.get(f"/s/{token}")
    assert r.status_code == 302 and token not in r.headers["Location"]
    r = login_to(advisor, "camille@ml.example.org", "/s/reprendre")
    assert urlsplit(r.headers["Location"]).path == "/s/reprendre"
    r = advisor.get("/s/reprendre")
    assert r.status_code == 200 and "Code d'accès" in text(r)
    r = submit(advisor, "/s/reprendre", {"passcode": "pas-le-bon"})
    assert r.status_code == 401
    r = submit(advisor, "/s/reprendre", {"passcode": "soleil-28"})
    assert r.status_code == 302
    passport_url = urlsplit(r.headers["Location"]).path
    assert passport_url == f"/espace/partages/{share_id}"
    page = advisor.get(passport_url)
    assert page.status_code == 200
    assert_private(page)
    assert "Léa Martin" in text(page)

    # 3. A first reception and a referral to the CIO.
    r = submit(
        advisor,
        f"{passport_url}/accueil",
        {
            "date": "2026-05-20",
            "channel": "in_person",
            "needs": ["summer_job", "orientation"],
            "situation": "student",
            "outcome": "referred",
        },
    )
    assert r.status_code == 302
    r = submit(
        advisor,
        f"{passport_url}/orientation",
        {"needs": ["orientation"], "to_structure": "CIO28", "message": "Bilan d'orientation"},
    )
    assert r.status_code == 302
    assert "Signé par Mission locale de Dreux" in text(advisor.get(passport_url))

    # 4. The CIO's advisor finds it in the inbox and moves it along.
    cio = app.test_client()
    login_to(cio, "sami@cio.example.org", "/espace/orientations")
    inbox = text(cio.get("/espace/orientations"))
    assert "Léa Martin" in inbox and "Bilan d'orientation" in inbox
    referral_id = db.session.execute(db.select(Referral.id)).scalar_one()
    for status in ("received", "appointment"):
        details = {"confirm": "1", **WEB_APPOINTMENT} if status == "appointment" else {}
        r = submit(
            cio,
            f"/espace/orientations/{referral_id}/statut",
            {"status": status, **details},
            form_url="/espace/orientations",
        )
        assert r.status_code == 302, r.get_data(as_text=True)
    assert 'status--appointment">Rendez-vous fixé<' in text(
        advisor.get("/espace/orientations/envoyees")
    )
    assert "Rendez-vous fixé" in text(client.get("/passeport/orientations"))

    # 5. The holder sees who came, with a notification (the worker's), then revokes.
    queue.run_burst(app)
    summary = text(client.get("/partages"))
    assert "nouveaux accès à votre passeport" in summary
    log = text(client.get("/partages/historique"))
    assert_private(client.get("/partages/historique"))
    assert "Tentative refusée" in log and "Consultation" in log and "Ajout" in log
    assert (
        "La Mission locale de Dreux (Camille R.) a consulté votre passeport (profil, accueils, "
        "orientations, formations), ajouté un premier accueil et envoyé une fiche navette. "
        "1 tentative a été refusée (code d'accès faux)."
    ) in log
    assert "raison : code d'accès faux" in log  # on the refused row of the visit
    assert (
        "Le CIO de Dreux (Sami B.) a mis à jour votre fiche navette "
        "(« Reçue », puis « Rendez-vous fixé »)."
    ) in log
    assert "par le partage « Mission locale, 3 juin »" in log
    assert "Nouveau" in log
    assert "nouveaux accès" not in text(client.get("/partages"))  # read now
    assert "Nouveau<" not in text(client.get("/partages/historique"))
    assert submit(client, f"/partages/{share_id}/revoquer", {}).status_code == 302

    # 6. The link and the session's pages answer 410.
    r = advisor.get(f"/s/{token}")
    assert r.status_code == 410
    assert_private(r)
    assert advisor.get(passport_url).status_code == 410
