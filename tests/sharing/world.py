"""A small SPRO network for the sharing and structure tests, built through the services.

``build_world(app)`` commits everything and returns plain values (ids, codes, secrets), so
that test-client requests run in their own application contexts and sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import text

from passport.db import utcnow
from passport.extensions import db
from passport.passports import services as passports
from passport.sharing import services as sharing
from passport.sharing.models import ShareLink
from tests import factories


@dataclass
class World:
    ml: str  # Mission locale: where the holder is received
    cap: str  # Cap emploi: receives the referral
    ft: str  # France Travail: a third structure
    holder_id: int
    passport_id: int
    holder: dict  # bearer headers of the holder
    other_holder: dict
    other_passport_id: int
    advisor: dict  # advisor at ML (personal token)
    advisor_name: str
    cap_advisor: dict
    ml_admin: dict  # structure admin of ML
    coordinator: dict
    admin: dict
    ml_key: dict
    cap_key: dict
    ft_key: dict
    revoked_key: dict  # an ML key, revoked


def build_world(app) -> World:
    with app.app_context():
        ml = factories.structure(
            "ML28", "ML", name="Mission locale de Dreux", needs=["job_search", "summer_job"]
        )
        cap = factories.structure("CAP28", "CAP", name="Cap emploi 28", needs=["job_search"])
        ft = factories.structure(
            "FT28",
            "FT",
            name="France Travail Dreux",
            department="28",
            needs=["job_search", "training_funding"],
        )
        holder = factories.holder(name="Léa Martin")
        other = factories.holder(name="Noé Petit")
        passport = passports.passport_of(holder)
        other_passport = passports.passport_of(other)
        advisor = factories.staff("advisor", ml, name="Camille Roux")
        cap_advisor = factories.staff("advisor", cap, name="Sami Haddad")
        ml_admin = factories.staff("structure_admin", ml, name="Inès Garnier")
        coordinator = factories.staff("coordinator", None, name="Paul Coordinateur")
        admin = factories.staff("admin", None, name="Ada Admin")
        revoked = factories.api_key(ml)
        from passport.structures import services as structures

        structures.revoke_api_key(structures.find_api_key(revoked))
        db.session.commit()
        world = World(
            ml=ml.code,
            cap=cap.code,
            ft=ft.code,
            holder_id=holder.id,
            passport_id=passport.id,
            holder=factories.bearer(factories.token(holder)),
            other_holder=factories.bearer(factories.token(other)),
            other_passport_id=other_passport.id,
            advisor=factories.bearer(factories.token(advisor)),
            advisor_name=advisor.full_name,
            cap_advisor=factories.bearer(factories.token(cap_advisor)),
            ml_admin=factories.bearer(factories.token(ml_admin)),
            coordinator=factories.bearer(factories.token(coordinator)),
            admin=factories.bearer(factories.token(admin)),
            ml_key=factories.bearer(factories.api_key(ml)),
            cap_key=factories.bearer(factories.api_key(cap)),
            ft_key=factories.bearer(factories.api_key(ft)),
            revoked_key=factories.bearer(revoked),
        )
        db.session.commit()
    return world


def token_of(url: str) -> str:
    return url.rsplit("/s/", 1)[1]


def make_share(client, world: World, **overrides) -> dict:
    """POST /api/v1/me/shares as the holder; returns the answer with ``token`` added."""
    body = {
        "sections": ["profile", "receptions", "referrals", "trainings", "cpf"],
        "permissions": ["read", "append"],
        "expires_in_days": 30,
        **overrides,
    }
    r = client.post("/api/v1/me/shares", json=body, headers=world.holder)
    assert r.status_code == 201, r.get_json()
    data = r.get_json()
    data["token"] = token_of(data["url"])
    return data


def committed(app, sql: str, **params):
    """Run ``sql`` on a connection of its own: it sees only what was committed."""
    with app.app_context(), db.engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def expire_share(app, share_id: int) -> None:
    with app.app_context():
        share = db.session.get(ShareLink, share_id)
        share.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()


def share_row(app, share_id: int) -> ShareLink:
    with app.app_context():
        share = db.session.get(ShareLink, share_id)
        db.session.expunge(share)
        return share


__all__ = ["World", "build_world", "committed", "expire_share", "make_share", "sharing", "token_of"]
