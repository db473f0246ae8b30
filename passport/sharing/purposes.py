"""Why a holder shares: each purpose fills the share form with sensible defaults.

The holder's share page starts with the purpose, in plain words; the form that follows is
prefilled with the purpose's defaults, which the holder can still change. A purpose is a
preset of the form, nothing more: the share itself keeps no trace of it.

- ``rendez-vous`` (prepare an appointment): one structure chosen from the directory first,
  read and add, the sections a first reception needs, 7 days.
- ``parcours`` (show my path): read only, the path's sections, any structure, 30 days.
- ``depot`` (let a structure add something): add only, nothing to read, 30 days.
- ``personnalise`` (custom): the full form with its usual defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

APPOINTMENT = "rendez-vous"
CUSTOM = "personnalise"


@dataclass(frozen=True)
class Purpose:
    """The defaults of the share form for one purpose."""

    code: str
    sections: tuple[str, ...]
    #: A key of ``forms.PERMISSION_SETS``: ``read``, ``append`` or ``both``.
    permissions: str
    expires_in_days: int
    #: The structure is chosen from the directory before the form (and required).
    needs_structure: bool = False

    def defaults(self) -> dict:
        """Initial data of ``ShareForm``."""
        return {
            "purpose": self.code,
            "sections": list(self.sections),
            "permissions": self.permissions,
            "expires_in_days": self.expires_in_days,
        }


PURPOSES: dict[str, Purpose] = {
    p.code: p
    for p in (
        # What a first reception needs: who the person is, the receptions and referrals so far.
        Purpose(APPOINTMENT, ("profile", "receptions", "referrals"), "both", 7, True),
        Purpose("parcours", ("profile", "receptions", "referrals", "trainings"), "read", 30),
        # Append-only: the structure reads nothing, whatever the sections.
        Purpose("depot", ("receptions", "referrals", "trainings"), "append", 30),
        Purpose(CUSTOM, ("profile", "receptions", "referrals", "trainings"), "read", 30),
    )
}


def purpose_of(code: str | None) -> Purpose | None:
    """The purpose named by ``code`` (a query or form value), or None."""
    return PURPOSES.get(code or "")
