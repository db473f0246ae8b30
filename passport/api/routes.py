"""Every endpoint module of the API, imported for the routes it adds to ``bp``.

A new endpoint module is added to this list; ``create_app`` registers ``bp`` from here.
"""

from __future__ import annotations

from passport.api import (  # noqa: F401  (each import registers its routes)
    accounts,
    advisors,
    bp,
    cpf,
    directory,
    indicators,
    me,
    mfa,
    openapi,
    shares,
    structures,
    trust,
)

__all__ = ["bp"]
