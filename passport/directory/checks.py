"""Checks of directory values, shared by the API schemas, the forms and the import.

Each returns the cleaned value or raises ``ValueError`` with an English message (the API
and the import say it as is; the forms say it in French).
"""

from __future__ import annotations

import re

from passport.directory import hours, territory

PHONE = re.compile(r"^\+?[0-9 .()-]{6,40}$")
POSTAL_CODE = re.compile(r"^[0-9]{5}$")
WEBSITE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.I)


def commune_code(value: str) -> str:
    value = value.strip().upper()
    if territory.commune(value) is None:
        raise ValueError("unknown commune (INSEE code)")
    return value


def zone_codes(values: list[str]) -> list[str]:
    cleaned: list[str] = []
    for value in values:
        code = value.strip()
        code = code.lower() if code.lower() == "france" else code.upper()
        if territory.zone_code_kind(code) is None:
            raise ValueError(f"unknown zone code {value!r} (commune, EPCI, department or france)")
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


def opening_hours(value: str) -> str:
    try:
        return hours.check(value)
    except hours.InvalidHours:
        raise ValueError("not in OpenStreetMap opening_hours syntax") from None


def phone(value: str) -> str:
    value = value.strip()
    if not PHONE.fullmatch(value):
        raise ValueError("not a phone number")
    return value


def postal_code(value: str) -> str:
    value = value.strip()
    if not POSTAL_CODE.fullmatch(value):
        raise ValueError("a postal code has five digits")
    return value


def website(value: str) -> str:
    value = value.strip()
    if len(value) > 300 or not WEBSITE.fullmatch(value):
        raise ValueError("an http(s) address")
    return value


def age_range(age_min: int | None, age_max: int | None) -> None:
    if age_min is not None and age_max is not None and age_min > age_max:
        raise ValueError("age_min is above age_max")
