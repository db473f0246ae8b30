"""Legal and help pages linked from every page: legal notice, personal data, accessibility
statement (RGAA 4.1), help and contact. The operator's identity comes from configuration."""

from passport.legal.views import bp

__all__ = ["bp"]
