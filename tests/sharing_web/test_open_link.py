"""Opening a link in the browser: login and back, audience, passcode, single use, errors."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from passport.extensions import db
from passport.sharing.models import AccessLogEntry
from tests import factories
from tests.sharing_web.helpers import (
    assert_inputs_labelled,
    assert_private,
    create_share,
    login_to,
    open_link,
    share_row,
    text,
)
from tests.web import login, submit


def _actions(share_id: int) -> list[str]:
    db.session.expire_all()
    return [
        e.action
        for e in db.session.execute(
            db.select(AccessLogEntry)
            .where(AccessLogEntry.share_id == share_id)
            .order_by(AccessLogEntry.id)
        ).scalars()
    ]


def test_anonymous_goes_to_login_without_the_token_in_any_url(client, holder, app, network):
    share_id, token = create_share(client)
    advisor = app.test_client()
    r = advisor.get(f"/s/{token}")
    assert r.status_code == 302
    assert_private(r)
    location = r.headers["Location"]
    assert token not in location
    assert urlsplit(location).path == "/connexion"
    assert parse_qs(urlsplit(location).query)["next"] == ["/s/reprendre"]
    r = login_to(advisor, "camille@ml.example.org", "/s/reprendre")
    assert r.status_code == 302 and urlsplit(r.headers["Location"]).path == "/s/reprendre"
    r = advisor.get("/s/reprendre")  # no passcode, reusable: opens at once
    assert r.status_code == 302
    assert urlsplit(r.headers["Location"]).path == f"/espace/partages/{share_id}"
    assert token not in r.headers["Location"]
    page = advisor.get(r.headers["Location"])
    assert page.status_code == 200
    assert_private(page)
    assert "Léa Martin" in text(page)
    # One opening, one row: the first page after opening does not log a second view.
    assert _actions(share_id) == ["view"]
    assert share_row(share_id).uses == 1
    # Each later consultation is logged.
    advisor.get(f"/espace/partages/{share_id}")
    assert _actions(share_id) == ["view", "view"]


def test_passcode_form_wrong_then_right(client, holder, advisor_client, network):
    share_id, token = create_share(client, passcode="soleil-28")
    r = open_link(advisor_client, token)
    assert r.status_code == 200
    assert_private(r)
    page = text(r)
    assert "Code d'accès" in page and "Léa Martin" not in page  # no name before the code
    assert_inputs_labelled(page)
    assert _actions(share_id) == []  # showing the form is not an attempt
    r = submit(advisor_client, "/s/reprendre", {"passcode": "lune-28"})
    assert r.status_code == 401
    assert "Il reste 9 essais" in text(r)
    assert 'aria-invalid="true"' in text(r)
    assert share_row(share_id).failed_attempts == 1
    r = submit(advisor_client, "/s/reprendre", {"passcode": ""})
    assert r.status_code == 401
    r = submit(advisor_client, "/s/reprendre", {"passcode": "soleil-28"})
    assert r.status_code == 302
    assert urlsplit(r.headers["Location"]).path == f"/espace/partages/{share_id}"
    assert _actions(share_id) == ["denied", "denied", "view"]
    assert advisor_client.get(f"/espace/partages/{share_id}").status_code == 200


def test_ten_wrong_passcodes_lock_the_link(client, holder, advisor_client, network):
    share_id, token = create_share(client, passcode="soleil-28")
    share = share_row(share_id)
    share.failed_attempts = 9
    db.session.commit()
    assert open_link(advisor_client, token).status_code == 200
    r = submit(advisor_client, "/s/reprendre", {"passcode": "faux"})
    assert r.status_code == 401
    assert "Il reste 0 essai" in text(r)  # French source strings use gettext's n != 1 rule
    r = advisor_client.get(f"/s/{token}")
    assert r.status_code == 423
    assert "Ce lien est verrouillé" in text(r)
    assert share_row(share_id).locked_at is not None
    # Even the right passcode no longer opens it.
    r = advisor_client.get("/s/reprendre")
    assert r.status_code in (404, 423)


def test_single_use_is_consumed_only_by_the_confirming_post(
    client, holder, app, advisor_client, network
):
    share_id, token = create_share(client, single_use="y")
    for _ in range(3):  # link previews, a reload: nothing is used
        r = open_link(advisor_client, token)
        assert r.status_code == 200
        page = text(r)
        assert "Ouvrir le passeport de Léa Martin ?" in page
        assert "Ce lien ne servira qu'une fois" in page
    share = share_row(share_id)
    assert share.used_up_at is None and share.uses == 0
    assert _actions(share_id) == []
    r = submit(advisor_client, "/s/reprendre", {})
    assert r.status_code == 302
    assert urlsplit(r.headers["Location"]).path == f"/espace/partages/{share_id}"
    share = share_row(share_id)
    assert share.used_up_at is not None and share.uses == 1
    # The advisor who used it keeps it for this session...
    assert advisor_client.get(f"/espace/partages/{share_id}").status_code == 200
    assert advisor_client.get(f"/espace/partages/{share_id}/accueil").status_code == 200
    # ... nobody else can open it any more.
    other = app.test_client()
    login(other, "sami@cio.example.org")
    r = other.get(f"/s/{token}")
    assert r.status_code == 410
    assert "Ce lien a déjà servi" in text(r)


def test_wrong_structure_is_refused_and_logged(client, holder, cio_client, network):
    share_id, token = create_share(client, structure="ML28")
    r = open_link(cio_client, token)
    assert r.status_code == 403
    assert "Ce lien est destiné à une autre structure" in text(r)
    assert "Mission locale de Dreux" in text(r)
    assert _actions(share_id) == ["denied"]
    assert cio_client.get(f"/espace/partages/{share_id}").status_code == 403


def test_tampered_unknown_and_gone_links(client, holder, advisor_client, network):
    share_id, token = create_share(client)
    secret, signature = token.split(".")
    tampered = f"{secret[:-2]}xx.{signature}"
    r = advisor_client.get(f"/s/{tampered}")
    assert r.status_code == 404
    assert_private(r)
    assert "Ce lien n'existe pas" in text(r)
    assert advisor_client.get("/s/nimportequoi").status_code == 404
    # suspended, then revoked
    submit(client, f"/partages/{share_id}/suspendre", {}, form_url="/partages")
    r = advisor_client.get(f"/s/{token}")
    assert r.status_code == 410 and "Ce lien est suspendu" in text(r)
    submit(client, f"/partages/{share_id}/revoquer", {})
    r = advisor_client.get(f"/s/{token}")
    assert r.status_code == 410 and "Ce lien a été révoqué" in text(r)


def test_expired_link_answers_410(client, holder, advisor_client, network):
    from datetime import timedelta

    from passport.db import utcnow

    share_id, token = create_share(client)
    share = share_row(share_id)
    share.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    r = advisor_client.get(f"/s/{token}")
    assert r.status_code == 410 and "Ce lien a expiré" in text(r)


def test_a_holder_cannot_open_a_link(client, holder, network):
    _share_id, token = create_share(client)
    r = client.get(f"/s/{token}")
    assert r.status_code == 403
    assert "compte de conseiller" in text(r)


def test_reprendre_without_a_pending_link(advisor_client):
    r = advisor_client.get("/s/reprendre")
    assert r.status_code == 404
    assert "Aucun lien à ouvrir" in text(r)


def test_reprendre_needs_login(client, ctx):
    r = client.get("/s/reprendre")
    assert r.status_code == 302 and "/connexion" in r.headers["Location"]


def test_the_confirming_post_needs_csrf(client, holder, advisor_client, network):
    share_id, token = create_share(client, single_use="y")
    assert open_link(advisor_client, token).status_code == 200
    assert advisor_client.post("/s/reprendre").status_code == 400
    assert share_row(share_id).used_up_at is None


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_other_roles_cannot_open_links(client, holder, app, network, role):
    _share_id, token = create_share(client)
    factories.staff(role, None, f"{role}@example.org")
    other = app.test_client()
    login(other, f"{role}@example.org")
    assert other.get(f"/s/{token}").status_code == 403
