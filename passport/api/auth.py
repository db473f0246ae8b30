"""Who is calling the API: a personal token (any account) or a structure API key."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import g, request

from passport.accounts.models import ApiToken, Role, User
from passport.accounts.services import find_token
from passport.errors import Problem
from passport.structures.models import ApiKey, Structure
from passport.structures.services import find_api_key


@dataclass(frozen=True)
class Caller:
    """The authenticated caller of one API request."""

    user: User | None = None
    token: ApiToken | None = None
    api_key: ApiKey | None = None

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
        token = find_token(secret)
        if token is not None:
            caller = Caller(user=token.user, token=token)
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
