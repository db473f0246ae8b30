"""Administration services: structures, staff accounts, the audit log.

Who may do what is decided here (``can_manage``), so that the HTML pages and the API agree:
- an admin manages every structure and every staff account (coordinators and admins too);
- a structure admin manages the advisors and structure admins of their own structure;
- nobody deactivates or demotes their own account (no one locks the door behind them).

Every change writes an ``AuditEntry``. Services ``flush()``; the caller commits.
Deactivating an account ends its browser sessions (and with them the share grants kept in
those sessions) and revokes its API tokens: the next request of that person fails.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from passport.accounts import services as accounts
from passport.accounts import sessions
from passport.accounts.models import STRUCTURE_ROLES, Role, User
from passport.admin.models import AuditEntry
from passport.extensions import db
from passport.pagination import Page, paginate
from passport.security import hash_password, new_secret
from passport.structures import services as structures
from passport.structures.models import STRUCTURE_TYPES, Structure

#: Audit actions and their French labels.
ACTIONS = {
    "structure.create": _l("Structure créée"),
    "structure.update": _l("Structure modifiée"),
    "structure.deactivate": _l("Structure désactivée"),
    "structure.reactivate": _l("Structure réactivée"),
    "account.invite": _l("Compte invité"),
    "account.role": _l("Rôle changé"),
    "account.deactivate": _l("Compte désactivé"),
    "account.reactivate": _l("Compte réactivé"),
}

#: Staff roles, and those that need a structure.
STAFF_ROLES = (Role.ADVISOR, Role.STRUCTURE_ADMIN, Role.COORDINATOR, Role.ADMIN)


class AdminError(Exception):
    """A refused administrative action; ``field`` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Forbidden(AdminError):
    pass


@dataclass(frozen=True)
class Scope:
    """What an administrator sees: every account (``structure`` None) or one structure's."""

    actor: User
    structure: Structure | None = None

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles this administrator may give."""
        if self.structure is None:
            return tuple(r.value for r in STAFF_ROLES)
        return (Role.ADVISOR.value, Role.STRUCTURE_ADMIN.value)


def scope_for(actor: User) -> Scope | None:
    """The scope of an administrator, or None for anyone else."""
    if actor.role == Role.ADMIN:
        return Scope(actor)
    if actor.role == Role.STRUCTURE_ADMIN and actor.structure is not None:
        return Scope(actor, actor.structure)
    return None


def can_manage(scope: Scope, user: User) -> bool:
    if user.role == Role.INDIVIDUAL:
        return False
    if scope.structure is None:
        return True
    return user.role in STRUCTURE_ROLES and user.structure_id == scope.structure.id


# ------------------------------------------------------------------ audit log


def log(
    actor: User,
    action: str,
    target: User | Structure,
    structure: Structure | None = None,
    **details,
) -> AuditEntry:
    if isinstance(target, User):
        kind, label = "account", f"{target.full_name} <{target.email}>"
    else:
        kind, label = "structure", f"{target.code} — {target.name}"
    entry = AuditEntry(
        actor=actor,
        actor_label=f"{actor.full_name} <{actor.email}>",
        action=action,
        target_type=kind,
        target_id=target.id,
        target_label=label[:300],
        structure=structure,
        details=details,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def audit_page(scope: Scope, page: int = 1, per_page: int = 30) -> Page:
    """The audit log, newest first; a structure admin reads their structure's entries."""
    query = (
        db.select(AuditEntry)
        .options(joinedload(AuditEntry.structure))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    if scope.structure is not None:
        query = query.where(AuditEntry.structure_id == scope.structure.id)
    return paginate(query, page, per_page)


# ------------------------------------------------------------------ structures


def _require_admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise Forbidden("only an admin manages structures")


def structures_page(page: int = 1, per_page: int = 30) -> Page:
    query = db.select(Structure).order_by(Structure.active.desc(), Structure.name, Structure.id)
    return paginate(query, page, per_page)


def create_structure(
    actor: User, code: str, name: str, type_: str, department: str, is_cep_operator: bool
) -> Structure:
    _require_admin(actor)
    if structures.get_structure(code) is not None:
        raise AdminError(str(_l("Une structure a déjà ce code.")), "code")
    if type_.upper() not in STRUCTURE_TYPES:
        raise AdminError(str(_l("Type de structure inconnu.")), "type")
    structure = structures.add_structure(
        code, name, type_, department, is_cep_operator=is_cep_operator
    )
    log(actor, "structure.create", structure, structure)
    return structure


def update_structure(
    actor: User,
    structure: Structure,
    name: str,
    type_: str,
    department: str,
    is_cep_operator: bool,
) -> Structure:
    _require_admin(actor)
    if type_.upper() not in STRUCTURE_TYPES:
        raise AdminError(str(_l("Type de structure inconnu.")), "type")
    before = {
        "name": structure.name,
        "type": structure.type,
        "department": structure.department,
        "is_cep_operator": structure.is_cep_operator,
    }
    structure.name = name.strip()
    structure.type = type_.upper()
    structure.department = department.strip()
    structure.is_cep_operator = is_cep_operator
    after = {
        "name": structure.name,
        "type": structure.type,
        "department": structure.department,
        "is_cep_operator": structure.is_cep_operator,
    }
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changed:
        log(actor, "structure.update", structure, structure, changes=changed)
    db.session.flush()
    return structure


def set_structure_active(actor: User, structure: Structure, active: bool) -> None:
    """An inactive structure's staff and API keys stop working (``User.is_active``,
    ``find_api_key``); reactivating it restores them."""
    _require_admin(actor)
    if structure.active == active:
        return
    structure.active = active
    log(actor, "structure.reactivate" if active else "structure.deactivate", structure, structure)
    if not active:
        staff = db.session.execute(
            db.select(User).where(User.structure_id == structure.id)
        ).scalars()
        for user in staff:
            sessions.end_sessions(user)
            sessions.revoke_tokens(user)
    db.session.flush()


# ------------------------------------------------------------------ staff accounts


def staff_page(
    scope: Scope, page: int = 1, per_page: int = 30, structure: Structure | None = None
) -> Page:
    """Staff accounts in the scope (every staff account for an admin), active first."""
    query = (
        db.select(User)
        .options(joinedload(User.structure))
        .where(User.role != Role.INDIVIDUAL.value)
        .order_by(User.active.desc(), User.full_name, User.id)
    )
    only = scope.structure or structure
    if only is not None:
        query = query.where(User.structure_id == only.id)
    if scope.structure is not None:
        query = query.where(User.role.in_([r.value for r in STRUCTURE_ROLES]))
    return paginate(query, page, per_page)


def get_managed(scope: Scope, user_id: int) -> User | None:
    """A staff account this administrator manages, or None."""
    user = db.session.get(User, user_id)
    return user if user is not None and can_manage(scope, user) else None


def _check_role(scope: Scope, role: str, structure: Structure | None) -> Structure | None:
    if role not in scope.roles:
        raise AdminError(str(_l("Ce rôle ne peut pas être donné ici.")), "role")
    if scope.structure is not None:
        return scope.structure
    if role in STRUCTURE_ROLES:
        if structure is None:
            raise AdminError(str(_l("Ce rôle demande une structure.")), "structure")
        if not structure.active:
            raise AdminError(str(_l("Cette structure est désactivée.")), "structure")
        return structure
    return None  # coordinators and admins belong to no structure


def invite(
    scope: Scope, email: str, full_name: str, role: str, structure: Structure | None = None
) -> User:
    """A new staff account with an unusable password; the caller mails the invitation
    (``invitation_mail``)."""
    home = _check_role(scope, role, structure)
    email = accounts.normalize_email(email)
    if accounts.get_user_by_email(email) is not None:
        raise AdminError(str(_l("Un compte existe déjà avec cette adresse.")), "email")
    placeholder = new_secret()  # never told to anyone: the invitation sets a real one
    user = accounts._add_user(
        User(
            email=email,
            password_hash=hash_password(placeholder),
            full_name=full_name.strip(),
            role=role,
            structure=home,
        )
    )
    log(scope.actor, "account.invite", user, home, role=role)
    return user


def invitation_mail(user: User, link: str) -> tuple[str, str]:
    """(subject, body) of the invitation mail."""
    from flask_babel import gettext as _

    structure = user.structure.name if user.structure else _("le réseau SPRO")
    subject = _("Passeport SPRO : votre compte vous attend")
    body = _(
        "Bonjour %(name)s,\n\nUn compte a été ouvert pour vous sur le Passeport SPRO "
        "(%(structure)s). Pour choisir votre mot de passe, ouvrez ce lien (valable 7 jours, "
        "une seule fois) :\n%(link)s\n\nSi vous ne vous attendiez pas à ce message, "
        "ignorez-le.",
        name=user.full_name,
        structure=structure,
        link=link,
    )
    return subject, body


def change_role(scope: Scope, user: User, role: str, structure: Structure | None = None) -> None:
    if not can_manage(scope, user):
        raise Forbidden("not in scope")
    if user.id == scope.actor.id:
        raise AdminError(str(_l("Vous ne pouvez pas changer votre propre rôle.")), "role")
    home = _check_role(scope, role, structure or user.structure)
    if role == user.role and home == user.structure:
        return
    before = user.role
    user.role = role
    user.structure = home
    log(scope.actor, "account.role", user, home or None, before=before, after=role)
    sessions.revoke_tokens(user)  # a token must not keep the powers of the old role
    db.session.flush()


def deactivate(scope: Scope, user: User) -> None:
    """The account stops working at once: sessions ended, tokens revoked."""
    if not can_manage(scope, user):
        raise Forbidden("not in scope")
    if user.id == scope.actor.id:
        raise AdminError(str(_l("Vous ne pouvez pas désactiver votre propre compte.")))
    if not user.active:
        return
    user.active = False
    sessions.end_sessions(user)
    sessions.revoke_tokens(user)
    log(scope.actor, "account.deactivate", user, user.structure)
    db.session.flush()


def reactivate(scope: Scope, user: User) -> None:
    if not can_manage(scope, user):
        raise Forbidden("not in scope")
    if user.active:
        return
    user.active = True
    log(scope.actor, "account.reactivate", user, user.structure)
    db.session.flush()
