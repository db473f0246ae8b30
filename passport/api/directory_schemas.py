"""Request and response schemas of the directory endpoints (API.md, Structures)."""

from __future__ import annotations

from typing import Annotated

from data_inclusion.schema.v1 import Public
from pydantic import EmailStr, Field, StringConstraints, field_validator, model_validator

from passport.api.openapi import RESPONSE_SCHEMAS
from passport.api.schemas import LongText, Schema
from passport.directory import checks
from passport.passports.models import Need, Situation

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=150)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Age = Annotated[int, Field(ge=0, le=120)]


class EntryPatch(Schema):
    """Any editable field of a directory entry; ``null`` clears an optional one."""

    name: Name | None = None
    description: LongText | None = None
    address: Short | None = None
    postal_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{5}$")] | None = None
    commune: Annotated[str, StringConstraints(min_length=5, max_length=5)] | None = None
    city: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] | None = None
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    email: EmailStr | None = None
    website: Short | None = None
    opening_hours: Annotated[str, StringConstraints(max_length=500)] | None = None
    publics: Annotated[list[Public], Field(max_length=len(Public))] | None = None
    age_min: Age | None = None
    age_max: Age | None = None
    situations: Annotated[list[Situation], Field(max_length=len(Situation))] | None = None
    zone: Annotated[list[str], Field(max_length=200)] | None = None
    needs: Annotated[list[Need], Field(max_length=len(Need))] | None = None

    @field_validator("commune")
    @classmethod
    def _commune(cls, value: str | None) -> str | None:
        return None if value is None else checks.commune_code(value)

    @field_validator("zone")
    @classmethod
    def _zone(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else checks.zone_codes(value)

    @field_validator("opening_hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        return None if value is None or not value.strip() else checks.opening_hours(value)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return None if value is None or not value.strip() else checks.phone(value)

    @field_validator("website")
    @classmethod
    def _website(cls, value: str | None) -> str | None:
        return None if value is None or not value else checks.website(value)

    @field_validator("publics")
    @classmethod
    def _publics(cls, value: list[Public] | None) -> list[Public] | None:
        if value is not None and Public.TOUS_PUBLICS in value and len(set(value)) > 1:
            raise ValueError("tous-publics goes alone")
        return None if value is None else list(dict.fromkeys(value))

    @field_validator("situations", "needs")
    @classmethod
    def _dedupe(cls, value: list | None) -> list | None:
        return None if value is None else list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _ages(self) -> EntryPatch:
        checks.age_range(self.age_min, self.age_max)
        if self.name is None and "name" in self.model_fields_set:
            raise ValueError("name cannot be cleared")
        return self

    def changes(self) -> dict:
        """The fields sent, as the model stores them (lists of plain codes, never None)."""
        data = self.model_dump(include=self.model_fields_set, mode="json")
        for name in ("publics", "situations", "zone", "needs"):
            if name in data and data[name] is None:
                data[name] = []
        return data


_SERVICE = {
    "type": "object",
    "required": ["id", "title", "description", "needs"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "needs": {"type": "array", "items": {"type": "string"}},
        "thematiques": {"type": "array", "items": {"type": "string"}},
        "fees": {"type": ["string", "null"]},
        "contact": {"type": "object"},
    },
}
_NULLABLE_STRING = {"type": ["string", "null"]}
RESPONSE_SCHEMAS["DirectoryEntry"] = {
    "type": "object",
    "required": ["code", "name", "type", "department", "needs", "services", "updated_at"],
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "type": {"type": "string"},
        "department": {"type": "string"},
        "needs": {"type": "array", "items": {"type": "string"}},
        "is_cep_operator": {"type": "boolean"},
        **{
            name: _NULLABLE_STRING
            for name in (
                "address",
                "postal_code",
                "city",
                "commune",
                "phone",
                "email",
                "website",
                "opening_hours",
                "opening_hours_text",
                "map_url",
            )
        },
        "open_now": {"type": ["boolean", "null"]},
        "publics": {"type": "array", "items": {"type": "string"}},
        "age_min": {"type": ["integer", "null"]},
        "age_max": {"type": ["integer", "null"]},
        "situations": {"type": "array", "items": {"type": "string"}},
        "zone": {"type": "array", "items": {"type": "string"}},
        "services": {"type": "array", "items": _SERVICE},
        "updated_at": {"type": "string", "format": "date-time"},
    },
}
RESPONSE_SCHEMAS["Directory"] = {
    "type": "array",
    "items": {"$ref": "#/components/schemas/DirectoryEntry"},
}
RESPONSE_SCHEMAS["FinderResults"] = {
    "type": "object",
    "required": ["results"],
    "properties": {
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["structure", "covers", "reasons"],
                "properties": {
                    "structure": {"$ref": "#/components/schemas/DirectoryEntry"},
                    "covers": {"type": "array", "items": {"type": "string"}},
                    "reasons": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}
RESPONSE_SCHEMAS["DataInclusionList"] = {"type": "array", "items": {"type": "object"}}
