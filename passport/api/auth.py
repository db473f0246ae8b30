"""Who is calling the API: a personal token (any account) or a structure API key."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from functools import wraps

from flask import current_app, g, request
from sqlalchemy import case, true

from passport.accounts.models import ApiToken, Role, User
from passport.accounts.services import TokenLookup, find_token_with, token_lookup
from passport.errors import Problem
from passport.mfa.services import enrolled
from passport.structures.models import ApiKey, Structure
from passport.structures.services import find_api_key


@dataclass(frozen=True)
class Caller:
    """The authenticated caller of one API request."""

    user: User | None = None
    token: ApiToken | None = None
    api_key: ApiKey | None = None
    #: Whether the token's account meets the second-factor rule (it has a factor, or its role
    #: needs none), read by the token's own query when ``MFA_REQUIRED_ROLES`` is set (None:
    #: not read; a structure key has no account).
    mfa_satisfied: bool | None = None

    @property
    def structure(self) -> Structure | None:
        """The structure the caller acts for (its key, or the advisor's structure)."""
        if self.api_key is not None:
            return self.api_key.structure
        if self.user is not None and self.user.is_structure_staff:
            return self.user.structure
        return None

    @property
    def advisor(self) -> User | None:
        return self.user if self.user is not None and self.user.is_structure_staff else None


def _unauthorized(detail: str) -> Problem:
    return Problem(401, "Unauthorized", detail, headers={"WWW-Authenticate": 'Bearer realm="api"'})


def bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


@functools.cache
def _token_lookup(check: tuple[str, ...]) -> TokenLookup:
    """The token's one query, with the second-factor check of the roles in ``check``."""
    if not check:
        return token_lookup()
    return token_lookup(case((User.role.in_(check), enrolled(ApiToken.user_id)), else_=true()))


def current_caller() -> Caller:
    """Authenticate the request once (cached on ``g``); 401 when it cannot be."""
    if "api_caller" in g:
        return g.api_caller
    secret = bearer_secret()
    if secret is None:
        raise _unauthorized("A bearer token is required.")
    if len(secret) > 512:
        raise _unauthorized("The bearer token is not valid.")
    caller: Caller | None = None
    if secret.startswith("sk_"):
        key = find_api_key(secret)
        if key is not None:
            caller = Caller(api_key=key)
    else:
        # The enrolment check (``api.mfa``) folded into the token's one query, for the
        # roles that must enrol only (a holder's token reads no factor); no role required
        # (tests, development), nothing added to the query.
        check = tuple(current_app.config.get("MFA_REQUIRED_ROLES") or ())
        found = find_token_with(secret, _token_lookup(check))
        if found is not None:
            token, satisfied = found
            caller = Caller(
                user=token.user,
                token=token,
                mfa_satisfied=bool(satisfied) if check else None,
            )
    if caller is None:
        raise _unauthorized("The bearer token is not valid, expired or revoked.")
    g.api_caller = caller
    return caller


def require_roles(*roles: Role):
    """A view for personal tokens of the given roles only (403 for other callers)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            caller = current_caller()
            if caller.user is None or caller.user.role not in roles:
                raise Problem(403, "Forbidden", "This endpoint is not open to this account.")
            return view(*args, **kwargs)

        wrapped.api_auth = True
        return wrapped

    return decorator


def require_structure_caller(view):
    """A view for a structure: its API key, or the token of one of its advisors."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        caller = current_caller()
        if caller.structure is None:
            raise Problem(403, "Forbidden", "Only a structure's key or advisor may call this.")
        return view(*args, **kwargs)

    wrapped.api_auth = True
    return wrapped
