"""Every model, imported in one place so that the metadata (and Alembic) sees them all."""

from passport.accounts.models import ApiToken, Role, User, UserSession
from passport.admin.models import AuditEntry
from passport.api.models import IdempotentRequest
from passport.directory.models import DirectoryService
from passport.directory.version import DirectoryVersion
from passport.indicators.models import ReceptionCount, ReferralCount, ReferralDelay, RegionDelay
from passport.mfa.models import Passkey, RecoveryCode, TotpSecret
from passport.notifications.models import JobKey, MailPreference, OutgoingMail
from passport.passports.models import (
    Correction,
    CorrectionRequest,
    CpfStatement,
    Passport,
    Reception,
    Referral,
    ReferralEvent,
    Training,
)
from passport.sharing.models import AccessLogEntry, Notification, ShareLink, Visit
from passport.structures.models import ApiKey, SigningKey, Structure

__all__ = [
    "AccessLogEntry",
    "ApiKey",
    "ApiToken",
    "AuditEntry",
    "Correction",
    "CorrectionRequest",
    "CpfStatement",
    "DirectoryService",
    "DirectoryVersion",
    "IdempotentRequest",
    "JobKey",
    "MailPreference",
    "OutgoingMail",
    "Notification",
    "Passkey",
    "Passport",
    "Reception",
    "ReceptionCount",
    "RecoveryCode",
    "Referral",
    "ReferralCount",
    "ReferralDelay",
    "ReferralEvent",
    "RegionDelay",
    "Role",
    "ShareLink",
    "SigningKey",
    "Structure",
    "TotpSecret",
    "Training",
    "User",
    "UserSession",
    "Visit",
]
