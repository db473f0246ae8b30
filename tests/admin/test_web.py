"""Administration in the browser (CSRF on): structures, staff accounts, the audit log."""

from __future__ import annotations

import pytest

from passport.accounts.models import User
from passport.admin.models import AuditEntry
from passport.extensions import db
from passport.structures.models import Structure
from tests import factories
from tests.admin.helpers import invitation_path, outbox
from tests.web import login, submit

NEW_PASSWORD = "a password of my own"


def _logged_in(client) -> bool:
    return client.get("/compte/").status_code == 200


@pytest.fixture
def admin_client(app, client, ctx):
    admin = factories.staff("admin", None, email="admin@example.org", name="Alex Admin")
    login(client, admin.email)
    return client


def test_only_admins_open_admin(app, client, ctx):
    structure = factories.structure()
    for role, home in (
        ("advisor", structure),
        ("structure_admin", structure),
        ("coordinator", None),
    ):
        other = app.test_client()
        user = factories.staff(role, home)
        login(other, user.email)
        assert other.get("/admin/").status_code == 403, role
        assert other.get("/admin/comptes").status_code == 403, role
    holder = app.test_client()
    login(holder, factories.holder().email)
    assert holder.get("/admin/structures").status_code == 403
    assert app.test_client().get("/admin/").status_code == 302  # to the login page


def test_admin_creates_edits_and_deactivates_a_structure(app, admin_client, ctx):
    r = submit(
        admin_client,
        "/admin/structures/nouvelle",
        {"code": "CIO-DREUX", "name": "CIO de Dreux", "type": "CIO", "department": "28"},
    )
    assert r.status_code == 302
    structure = db.session.execute(
        db.select(Structure).where(Structure.code == "CIO-DREUX")
    ).scalar_one()
    assert structure.name == "CIO de Dreux" and structure.active
    page = admin_client.get("/admin/structures").get_data(as_text=True)
    assert "CIO de Dreux" in page

    r = submit(
        admin_client,
        "/admin/structures/CIO-DREUX/modifier",
        {
            "code": "CIO-DREUX",
            "name": "CIO de Dreux-Vernouillet",
            "type": "CIO",
            "department": "28",
            "is_cep_operator": "y",
        },
    )
    assert r.status_code == 302
    db.session.expire_all()
    assert structure.name == "CIO de Dreux-Vernouillet" and structure.is_cep_operator

    advisor = factories.staff("advisor", structure)
    advisor_client = app.test_client()
    login(advisor_client, advisor.email)
    key = factories.api_key(structure)
    confirm = admin_client.get("/admin/structures/CIO-DREUX/desactiver")
    assert "Oui, désactiver" in confirm.get_data(as_text=True)
    assert submit(admin_client, "/admin/structures/CIO-DREUX/desactiver", {}).status_code == 302
    db.session.expire_all()
    assert not structure.active
    assert not _logged_in(advisor_client)
    assert (
        app.test_client().get("/api/v1/referrals", headers=factories.bearer(key)).status_code == 401
    )
    assert submit(admin_client, "/admin/structures/CIO-DREUX/reactiver", {}).status_code == 302
    assert (
        app.test_client().get("/api/v1/referrals", headers=factories.bearer(key)).status_code == 200
    )

    actions = (
        db.session.execute(db.select(AuditEntry.action).order_by(AuditEntry.id)).scalars().all()
    )
    assert actions == [
        "structure.create",
        "structure.update",
        "structure.deactivate",
        "structure.reactivate",
    ]
    journal = admin_client.get("/admin/journal").get_data(as_text=True)
    assert "Structure désactivée" in journal and "Alex Admin" in journal


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "ML DREUX"}, "Lettres, chiffres et tirets"),
        ({"department": "abc"}, "Un numéro de département"),
        ({"name": ""}, "Indiquez le nom de la structure"),
        ({"code": "TAKEN"}, "Une structure a déjà ce code"),
    ],
)
def test_structure_form_errors_next_to_fields(admin_client, ctx, data, message):
    factories.structure("TAKEN")
    base = {"code": "NEW-1", "name": "Nouvelle", "type": "ML", "department": "28"}
    r = submit(admin_client, "/admin/structures/nouvelle", {**base, **data})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert message in page and "field__error" in page


def test_invitation_then_deactivation_ends_the_session_and_token(app, admin_client, ctx):
    structure = factories.structure("ML-DREUX", name="Mission locale de Dreux")
    r = submit(
        admin_client,
        "/admin/comptes/inviter",
        {
            "full_name": "Camille Roux",
            "email": "Camille@Example.org",
            "role": "advisor",
            "structure": "ML-DREUX",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    advisor = db.session.execute(
        db.select(User).where(User.email == "camille@example.org")
    ).scalar_one()
    assert advisor.structure_id == structure.id and advisor.role == "advisor"

    path = invitation_path(app, "camille@example.org")
    browser = app.test_client()
    assert "Bienvenue, Camille Roux" in browser.get(path).get_data(as_text=True)
    r = submit(browser, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 302
    assert browser.get(path).status_code == 410  # single use
    login(browser, "camille@example.org", NEW_PASSWORD)
    assert _logged_in(browser)
    token = factories.token(advisor)
    assert browser.get("/api/v1/referrals", headers=factories.bearer(token)).status_code == 200

    r = submit(admin_client, f"/admin/comptes/{advisor.id}/desactiver", {})
    assert r.status_code == 302
    assert not _logged_in(browser)
    assert (
        app.test_client().get("/api/v1/referrals", headers=factories.bearer(token)).status_code
        == 401
    )
    r = submit(app.test_client(), "/connexion", {"email": advisor.email, "password": NEW_PASSWORD})
    assert r.status_code == 401

    assert submit(admin_client, f"/admin/comptes/{advisor.id}/reactiver", {}).status_code == 302
    login(app.test_client(), advisor.email, NEW_PASSWORD)
    actions = (
        db.session.execute(db.select(AuditEntry.action).order_by(AuditEntry.id)).scalars().all()
    )
    assert actions == ["account.invite", "account.deactivate", "account.reactivate"]


def test_invitation_link_expires(app, admin_client, ctx):
    from datetime import timedelta

    import time_machine

    from passport.db import utcnow

    factories.structure("ML-X")
    submit(
        admin_client,
        "/admin/comptes/inviter",
        {"full_name": "Late", "email": "late@example.org", "role": "advisor", "structure": "ML-X"},
    )
    path = invitation_path(app, "late@example.org")
    with time_machine.travel(utcnow() + timedelta(days=8)):
        assert app.test_client().get(path).status_code == 410


def test_invite_errors_next_to_fields(admin_client, ctx):
    factories.structure("ML-Y")
    factories.holder("taken@example.org")
    cases = [
        ({"email": "taken@example.org"}, "Un compte existe déjà avec cette adresse"),
        ({"structure": ""}, "Ce rôle demande une structure"),
        ({"email": "nope"}, "adresse e-mail n'est pas valide"),
        ({"role": "individual"}, "est pas un choix valide"),
    ]
    base = {"full_name": "X", "email": "x@example.org", "role": "advisor", "structure": "ML-Y"}
    for data, message in cases:
        r = submit(admin_client, "/admin/comptes/inviter", {**base, **data})
        assert r.status_code == 200
        assert message in r.get_data(as_text=True), data


def test_admin_invites_a_coordinator_and_changes_roles(app, admin_client, ctx):
    ml = factories.structure("ML-Z")
    r = submit(
        admin_client,
        "/admin/comptes/inviter",
        {"full_name": "Coco", "email": "coco@example.org", "role": "coordinator", "structure": ""},
    )
    assert r.status_code == 302
    coco = db.session.execute(db.select(User).where(User.email == "coco@example.org")).scalar_one()
    assert coco.role == "coordinator" and coco.structure_id is None
    advisor = factories.staff("advisor", ml)
    token = factories.token(advisor)
    r = submit(
        admin_client,
        f"/admin/comptes/{advisor.id}/role",
        {"role": "structure_admin", "structure": "ML-Z"},
    )
    assert r.status_code == 302
    db.session.expire_all()
    assert advisor.role == "structure_admin"
    assert (
        app.test_client().get("/api/v1/referrals", headers=factories.bearer(token)).status_code
        == 401
    )  # tokens do not keep the old role's powers
    page = admin_client.get("/admin/comptes?structure=ML-Z").get_data(as_text=True)
    assert advisor.full_name in page and "Coco" not in page


def test_nobody_deactivates_themselves(app, admin_client, ctx):
    me = db.session.execute(db.select(User).where(User.email == "admin@example.org")).scalar_one()
    r = submit(admin_client, f"/admin/comptes/{me.id}/desactiver", {})
    assert r.status_code == 422
    assert "votre propre compte" in r.get_data(as_text=True)
    assert _logged_in(admin_client)


def test_staff_list_and_audit_are_paginated(app, admin_client, ctx):
    structure = factories.structure("ML-P")
    for i in range(35):
        factories.staff("advisor", structure, name=f"Conseiller {i:02d}")
    first = admin_client.get("/admin/comptes").get_data(as_text=True)
    assert "Page 1 sur 2" in first
    second = admin_client.get("/admin/comptes?page=2").get_data(as_text=True)
    assert "Page 2 sur 2" in second
    assert admin_client.get("/admin/comptes?page=abc").status_code == 200
    assert "Aucune action" in admin_client.get("/admin/journal").get_data(as_text=True)


def test_structure_admin_manages_only_their_advisors(app, client, ctx):
    mine, theirs = factories.structure("ML-MINE"), factories.structure("ML-THEIRS")
    boss = factories.staff("structure_admin", mine, name="Dominique Chef")
    colleague = factories.staff("advisor", mine, name="Colette Collègue")
    stranger = factories.staff("advisor", theirs, name="Sam Étranger")
    login(client, boss.email)
    assert client.get("/admin/").status_code == 403
    page = client.get("/structure/equipe/").get_data(as_text=True)
    assert "Colette Collègue" in page and "Sam Étranger" not in page
    assert "/structure/cles-api" in page
    assert client.get(f"/structure/equipe/{stranger.id}/desactiver").status_code == 404
    assert client.get(f"/structure/equipe/{stranger.id}/role").status_code == 404

    r = submit(
        client,
        "/structure/equipe/inviter",
        {"full_name": "Nina Nouvelle", "email": "nina@example.org", "role": "advisor"},
    )
    assert r.status_code == 302
    nina = db.session.execute(db.select(User).where(User.email == "nina@example.org")).scalar_one()
    assert nina.structure_id == mine.id
    assert outbox(app)[-1]["To"] == "nina@example.org"
    r = submit(
        client,
        "/structure/equipe/inviter",
        {"full_name": "Boss", "email": "b@example.org", "role": "admin"},
    )
    assert r.status_code == 200 and "est pas un choix valide" in r.get_data(as_text=True)

    colleague_client = app.test_client()
    login(colleague_client, colleague.email)
    assert colleague_client.get("/structure/equipe/").status_code == 403
    assert submit(client, f"/structure/equipe/{colleague.id}/desactiver", {}).status_code == 302
    assert not _logged_in(colleague_client)
    journal = client.get("/structure/equipe/journal").get_data(as_text=True)
    assert "Compte désactivé" in journal and "Colette Collègue" in journal
