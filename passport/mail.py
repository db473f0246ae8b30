"""Outgoing mail: see ``passport.notifications.mail`` (every mail goes through the queue)."""

from passport.notifications.mail import send_mail, send_templated

__all__ = ["send_mail", "send_templated"]
