"""Every model, imported in one place so that the metadata (and Alembic) sees them all."""

from passport.accounts.models import ApiToken, Role, User, UserSession
from passport.admin.models import AuditEntry
from passport.api.models import IdempotentRequest
from passport.directory.models import DirectoryService
from passport.notifications.models import JobKey, MailPreference, OutgoingMail
from passport.passports.models import (
    CpfStatement,
    Passport,
    Reception,
    Referral,
    ReferralEvent,
    Training,
)
from passport.sharing.models import AccessLogEntry, Notification, ShareLink
from passport.structures.models import ApiKey, SigningKey, Structure

__all__ = [
    "AccessLogEntry",
    "ApiKey",
    "ApiToken",
    "AuditEntry",
    "CpfStatement",
    "DirectoryService",
    "IdempotentRequest",
    "JobKey",
    "MailPreference",
    "OutgoingMail",
    "Notification",
    "Passport",
    "Reception",
    "Referral",
    "ReferralEvent",
    "Role",
    "ShareLink",
    "SigningKey",
    "Structure",
    "Training",
    "User",
    "UserSession",
]
