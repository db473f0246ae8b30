"""The partner directory: /api/v1/structures, /finder and /data-inclusion/... (API.md)."""

from __future__ import annotations

import re

from flask import request

from passport.api import bp
from passport.api.auth import current_caller
from passport.api.directory_schemas import EntryPatch
from passport.api.openapi import doc
from passport.api.schemas import parse
from passport.api.share_schemas import query_choice
from passport.directory import datainclusion, finder, territory
from passport.directory import services as directory
from passport.directory.cache import cached_json
from passport.directory.serialize import entry_json
from passport.errors import Problem
from passport.extensions import db, limiter
from passport.passports.models import Need, Situation
from passport.sharing import policy
from passport.structures.models import STRUCTURE_TYPES

_DEPARTMENT = re.compile(r"[0-9]{2,3}|2[ABab]")
FINDER_RATE = "60 per minute"
NEED_CODES = [n.value for n in Need]


def _invalid(name: str, message: str) -> Problem:
    return Problem(
        422, "Unprocessable Content", "Invalid query parameter.", errors={name: [message]}
    )


def _commune_arg(name: str = "commune", *, required: bool = False) -> str | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        if required:
            raise _invalid(name, "an INSEE commune code is required")
        return None
    if territory.commune(raw) is None:
        raise _invalid(name, "unknown commune (INSEE code)")
    return raw.upper()


def _department_arg() -> str | None:
    raw = request.args.get("department") or None
    if raw is not None and not _DEPARTMENT.fullmatch(raw):
        raise _invalid("department", "a French department code, e.g. 28 or 2A")
    return raw.upper() if raw else None


def _q_arg() -> str | None:
    raw = request.args.get("q") or None
    if raw is not None and len(raw) > 200:
        raise _invalid("q", "at most 200 characters")
    return raw


@bp.get("/structures")
@doc(
    "The SPRO directory, filtered by need, department, text and commune covered",
    responses={200: "Directory", 422: None},
    query={
        "need": {"enum": NEED_CODES},
        "department": {"type": "string", "pattern": "^([0-9]{2,3}|2[ABab])$"},
        "q": {"type": "string", "maxLength": 200},
        "commune": {"type": "string", "pattern": "^[0-9AB]{5}$"},
        "type": {"enum": list(STRUCTURE_TYPES)},
    },
)
def list_structures():
    filters = directory.Filters(
        need=query_choice("need", NEED_CODES, what="need"),
        department=_department_arg(),
        q=_q_arg(),
        commune=_commune_arg(),
        type=query_choice("type", list(STRUCTURE_TYPES), what="structure type"),
    )

    def build(at):
        found = directory.search(filters)
        return [entry_json(s, at) for s in found], found

    return cached_json("structures", filters, build)


def _entry_or_404(code: str):
    entry = directory.get_entry(code) if len(code) <= 32 else None
    if entry is None:
        raise Problem(404, "Not Found", "No such structure.")
    return entry


@bp.get("/structures/<code>")
@doc("One directory entry with its services", responses={200: "DirectoryEntry", 404: None})
def get_structure(code: str):
    return entry_json(_entry_or_404(code))


@bp.patch("/structures/<code>")
@doc(
    "Edit a directory entry (its structure admin, or an admin)",
    body=EntryPatch,
    responses={200: "DirectoryEntry", 403: None, 404: None, 422: None},
    auth=True,
)
def patch_structure(code: str):
    caller = current_caller()
    entry = _entry_or_404(code)
    if not policy.can(caller, policy.Action.DIRECTORY_EDIT, entry):
        raise Problem(403, "Forbidden", "Only this structure's admin or an admin edits it.")
    data = parse(EntryPatch)
    changes = data.changes()
    age_min = changes.get("age_min", entry.age_min)
    age_max = changes.get("age_max", entry.age_max)
    if age_min is not None and age_max is not None and age_min > age_max:
        raise Problem(
            422,
            "Unprocessable Content",
            "Some fields are missing or invalid.",
            errors={"age_min": ["age_min is above age_max"]},
        )
    directory.update_entry(entry, changes)
    directory.touch(entry)  # a PATCH is a check of the entry even when nothing changed
    db.session.commit()
    return entry_json(entry)


@bp.get("/finder")
@limiter.limit(FINDER_RATE)
@doc(
    "Find the right interlocutor: entries whose zone and publics fit, best first",
    responses={200: "FinderResults", 422: None, 429: None},
    query={
        "needs": {"type": "string", "description": "NEED codes, comma-separated"},
        "commune": {"type": "string", "pattern": "^[0-9AB]{5}$"},
        "age": {"type": "integer", "minimum": 0, "maximum": 120},
        "situation": {"enum": [s.value for s in Situation]},
    },
)
def find():
    raw_needs = [n.strip() for n in (request.args.get("needs") or "").split(",") if n.strip()]
    unknown = [n for n in raw_needs if n not in NEED_CODES]
    if unknown or len(raw_needs) > len(NEED_CODES) * 2:
        raise _invalid("needs", "unknown need: " + ", ".join(unknown[:5]))
    needs = list(dict.fromkeys(raw_needs))
    commune = _commune_arg(required=True) or ""  # required: never empty here
    age_raw = request.args.get("age") or ""
    age = None
    if age_raw:
        if not age_raw.isdigit() or not 0 <= int(age_raw) <= 120 or len(age_raw) > 3:
            raise _invalid("age", "an age in years, 0 to 120")
        age = int(age_raw)
    situation = query_choice("situation", [s.value for s in Situation], what="situation")

    def build(at):
        matches = finder.find(needs, commune, age, situation)
        results = [
            {"structure": entry_json(m.structure, at), "covers": m.covers, "reasons": m.reasons}
            for m in matches
        ]
        return {"results": results}, [m.structure for m in matches]

    return cached_json("finder", (tuple(needs), commune, age, situation), build)


@bp.get("/data-inclusion/structures")
@doc(
    "The directory's structures in the data·inclusion schema v1",
    responses={200: "DataInclusionList"},
)
def data_inclusion_structures():
    return cached_json("data-inclusion/structures", (), lambda at: _data_inclusion("structures"))


@bp.get("/data-inclusion/services")
@doc(
    "The directory's services in the data·inclusion schema v1", responses={200: "DataInclusionList"}
)
def data_inclusion_services():
    return cached_json("data-inclusion/services", (), lambda at: _data_inclusion("services"))


def _data_inclusion(part: str):
    return datainclusion.export(directory.search(directory.Filters()))[part], ()
