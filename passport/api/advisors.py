"""A structure's staff accounts through the API (API.md, "advisors").

- ``GET /api/v1/structures/{code}/advisors``: the structure's advisors and structure admins.
- ``POST /api/v1/structures/{code}/advisors``: invite one (mail with a password link); 409
  when the email has an account.
- ``DELETE /api/v1/structures/{code}/advisors/{id}``: deactivate; the account's sessions and
  tokens stop working at once.

Callers: a personal token of that structure's structure admin, or of an admin. The rules
are the web pages' (``passport.admin.services``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import EmailStr, Field, StringConstraints

from passport.accounts.models import Role, User
from passport.admin import services as admin
from passport.api import bp
from passport.api.auth import require_roles
from passport.api.openapi import RESPONSE_SCHEMAS, doc
from passport.api.schemas import Schema, parse
from passport.errors import Problem
from passport.extensions import db, limiter
from passport.mail import send_mail
from passport.mfa import services as mfa
from passport.structures import services as structures
from passport.structures.models import Structure
from passport.urls import external_url

RESPONSE_SCHEMAS.update(
    {
        "Advisor": {
            "type": "object",
            "required": ["id", "email", "full_name", "role", "active", "mfa"],
            "properties": {
                "id": {"type": "integer"},
                "email": {"type": "string"},
                "full_name": {"type": "string"},
                "role": {"type": "string", "enum": ["advisor", "structure_admin"]},
                "active": {"type": "boolean"},
                "mfa": {"type": "boolean"},
            },
        },
        "AdvisorList": {"type": "array", "items": {"$ref": "#/components/schemas/Advisor"}},
    }
)


class AdvisorIn(Schema):
    email: EmailStr = Field(max_length=254)
    full_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    role: Literal["advisor", "structure_admin"] = "advisor"


def advisor_json(user: User, has_mfa: bool | None = None) -> dict:
    """One advisor; ``mfa``: a confirmed TOTP or a passkey (``has_mfa`` when already known)."""
    return {
        "id": user.id,
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "active": user.active,
        "mfa": mfa.has_mfa(user) if has_mfa is None else has_mfa,
    }


def _scope_for(code: str) -> tuple[admin.Scope, Structure]:
    """The caller's scope on this structure: 404 for an unknown one, 403 for another's."""
    from passport.api.auth import current_caller

    user = current_caller().user
    structure = structures.get_structure(code) if len(code) <= 32 else None
    if structure is None:
        raise Problem(404, "Not Found", "No structure has this code.")
    scope = admin.scope_for(user) if user is not None else None
    if scope is None or (scope.structure is not None and scope.structure.id != structure.id):
        raise Problem(403, "Forbidden", "Only this structure's admins or an admin may do this.")
    # An admin acting on one structure gets that structure's rules (advisor roles only).
    return admin.Scope(scope.actor, structure), structure


@bp.get("/structures/<code>/advisors")
@require_roles(Role.STRUCTURE_ADMIN, Role.ADMIN)
@doc(
    "The structure's advisors and structure admins",
    responses={200: "AdvisorList", 403: None, 404: None},
)
def list_advisors(code: str):
    scope, structure = _scope_for(code)
    users = db.session.execute(
        db.select(User)
        .where(
            User.structure_id == structure.id,
            User.role.in_([Role.ADVISOR.value, Role.STRUCTURE_ADMIN.value]),
        )
        .order_by(User.full_name, User.id)
    ).scalars()
    team = list(users)
    enrolled = mfa.mfa_status(team)  # two queries, whatever the team's size
    return [advisor_json(u, enrolled[u.id]) for u in team]


@bp.post("/structures/<code>/advisors")
@require_roles(Role.STRUCTURE_ADMIN, Role.ADMIN)
@limiter.limit("30 per minute")
@doc(
    "Invite an advisor: an email with a link to choose a password",
    body=AdvisorIn,
    responses={201: "Advisor", 403: None, 404: None, 409: None, 422: None},
)
def invite_advisor(code: str):
    scope, structure = _scope_for(code)
    data = parse(AdvisorIn)
    try:
        user = admin.invite(scope, data.email, data.full_name, data.role, structure)
    except admin.AdminError as exc:
        if exc.field == "email":
            raise Problem(409, "Conflict", "An account with this email already exists.") from None
        raise Problem(422, "Unprocessable Content", exc.message) from None
    from passport.accounts.services import make_invitation_token

    link = external_url("accounts.accept_invitation", token=make_invitation_token(user))
    send_mail(user.email, *admin.invitation_mail(user, link), key=f"invite:{user.id}")
    db.session.commit()  # the account, its log entry and the queued mail
    return advisor_json(user), 201


@bp.delete("/structures/<code>/advisors/<int:user_id>")
@require_roles(Role.STRUCTURE_ADMIN, Role.ADMIN)
@doc(
    "Deactivate an advisor: their sessions and tokens stop working at once",
    responses={204: None, 403: None, 404: None, 409: None},
)
def deactivate_advisor(code: str, user_id: int):
    scope, structure = _scope_for(code)
    user = admin.get_managed(scope, user_id)
    if user is None:
        raise Problem(404, "Not Found", "No advisor of this structure has this id.")
    try:
        admin.deactivate(scope, user)
    except admin.AdminError as exc:
        raise Problem(409, "Conflict", exc.message) from None
    db.session.commit()
    return "", 204
