"""Public pages: home, language choice, health check."""

from passport.main.views import bp

__all__ = ["bp"]
