"""Who may do what: the one place where access decisions are written.

``can(who, action, resource)`` answers yes or no for any caller: a ``User`` (HTML session),
an API ``Caller`` (personal token or structure key), an ``ApiKey``, an ``Actor`` or ``None``
(anonymous). Views and endpoints ask it; ``sharing.services.open_share`` uses the share
predicates below to raise its typed errors in the documented order.

Actions
-------
============================  =================  ===========================================
action                        resource           who
============================  =================  ===========================================
``structure.directory``       –                  anyone
``share.create``              Passport           its holder (an individual)
``share.list``                Passport           its holder
``share.manage``              ShareLink          the holder of the share's passport
``access_log.read``           Passport           its holder
``share.view``                ShareLink          a structure (key or staff) in the share's
                                                 audience, share active, ``read`` granted
``share.append``              ShareLink          same, with ``append``
``referral.list``             Structure          that structure's key or staff
``referral.update``           Referral           key or staff of the receiving structure
``record.correct``            a record           key or staff of the structure that wrote it
``reception.anonymous``       –                  any structure's key or staff
``apikey.manage``             Structure          that structure's admin (or a site admin)
``indicators.read``           –                  coordinator (or admin)
``directory.edit``            Structure          that structure's admin (or a site admin)
============================  =================  ===========================================

A revoked key or token never reaches this module: authentication refuses it (401).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from passport.accounts.models import Role, User
from passport.passports.models import Passport, Referral
from passport.sharing.models import ShareLink
from passport.sharing.state import ShareState, share_state
from passport.structures.models import ApiKey, Structure


class Action(StrEnum):
    STRUCTURE_DIRECTORY = "structure.directory"
    SHARE_CREATE = "share.create"
    SHARE_LIST = "share.list"
    SHARE_MANAGE = "share.manage"
    ACCESS_LOG_READ = "access_log.read"
    SHARE_VIEW = "share.view"
    SHARE_APPEND = "share.append"
    REFERRAL_LIST = "referral.list"
    REFERRAL_UPDATE = "referral.update"
    RECORD_CORRECT = "record.correct"
    RECEPTION_ANONYMOUS = "reception.anonymous"
    APIKEY_MANAGE = "apikey.manage"
    INDICATORS_READ = "indicators.read"
    DIRECTORY_EDIT = "directory.edit"


@dataclass(frozen=True)
class Actor:
    """A caller reduced to what decisions need: a person, or a structure's key."""

    user: User | None = None
    api_key: ApiKey | None = None

    @property
    def role(self) -> str | None:
        return self.user.role if self.user is not None else None

    @property
    def structure(self) -> Structure | None:
        """The structure the actor acts for: its key's, or its staff member's."""
        if self.api_key is not None:
            return self.api_key.structure if self.api_key.revoked_at is None else None
        if self.user is not None and self.user.is_structure_staff and self.user.is_active:
            return self.user.structure
        return None

    @property
    def advisor(self) -> User | None:
        return self.user if self.structure is not None and self.user is not None else None

    @property
    def is_holder(self) -> bool:
        return self.user is not None and self.user.is_active and self.user.role == Role.INDIVIDUAL


def actor_of(who) -> Actor:
    """Normalise a User, an API Caller, an ApiKey, an Actor or None."""
    if isinstance(who, Actor):
        return who
    if who is None:
        return Actor()
    if isinstance(who, User):
        return Actor(user=who) if getattr(who, "is_authenticated", True) else Actor()
    if isinstance(who, ApiKey):
        return Actor(api_key=who)
    if hasattr(who, "api_key") and hasattr(who, "user"):  # passport.api.auth.Caller
        return Actor(user=who.user, api_key=who.api_key)
    if getattr(who, "is_authenticated", None) is False:  # Flask-Login's AnonymousUserMixin
        return Actor()
    raise TypeError(f"cannot decide for {type(who).__name__}")


# ------------------------------------------------------------------ share predicates


def in_audience(share: ShareLink, structure: Structure | None) -> bool:
    """A share opens for one structure if it names one, else for any SPRO structure."""
    if structure is None:
        return False
    return share.structure_id is None or share.structure_id == structure.id


def share_permits(share: ShareLink, action: str) -> bool:
    """``view`` needs ``read``; ``append`` needs ``append``."""
    needed = {"view": "read", "append": "append"}.get(action)
    return needed is not None and needed in (share.permissions or [])


def owns_passport(actor: Actor, passport: Passport | None) -> bool:
    user = actor.user
    return (
        passport is not None
        and user is not None
        and actor.is_holder
        and passport.holder_id == user.id
    )


# ------------------------------------------------------------------ the decision


def can(who, action: str | Action, resource=None) -> bool:
    """Whether ``who`` may do ``action`` on ``resource`` (see the table above)."""
    actor = actor_of(who)
    action = Action(action)
    if action is Action.STRUCTURE_DIRECTORY:
        return True
    if action in (Action.SHARE_CREATE, Action.SHARE_LIST, Action.ACCESS_LOG_READ):
        return isinstance(resource, Passport) and owns_passport(actor, resource)
    if action is Action.SHARE_MANAGE:
        return (
            isinstance(resource, ShareLink)
            and actor.user is not None
            and actor.is_holder
            and resource.passport.holder_id == actor.user.id
        )
    if action in (Action.SHARE_VIEW, Action.SHARE_APPEND):
        return (
            isinstance(resource, ShareLink)
            and in_audience(resource, actor.structure)
            and share_state(resource) is ShareState.ACTIVE
            and share_permits(resource, "view" if action is Action.SHARE_VIEW else "append")
        )
    if action is Action.REFERRAL_LIST:
        return (
            isinstance(resource, Structure)
            and actor.structure is not None
            and actor.structure.id == resource.id
        )
    if action is Action.REFERRAL_UPDATE:
        return (
            isinstance(resource, Referral)
            and actor.structure is not None
            and actor.structure.id == resource.to_structure_id
        )
    if action is Action.RECORD_CORRECT:
        return (
            actor.structure is not None
            and getattr(resource, "issuer_structure_id", None) is not None
            and actor.structure.id == resource.issuer_structure_id
        )
    if action is Action.RECEPTION_ANONYMOUS:
        return actor.structure is not None
    if action in (Action.APIKEY_MANAGE, Action.DIRECTORY_EDIT):
        if actor.user is None or not actor.user.is_active or not isinstance(resource, Structure):
            return False
        if actor.role == Role.ADMIN:
            return True
        return actor.role == Role.STRUCTURE_ADMIN and actor.user.structure_id == resource.id
    if action is Action.INDICATORS_READ:
        return (
            actor.user is not None
            and actor.user.is_active
            and actor.role
            in (
                Role.COORDINATOR,
                Role.ADMIN,
            )
        )
    return False  # pragma: no cover  (every Action is handled above)
