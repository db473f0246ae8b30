"""OpenAPI 3.1 document built from the routes themselves.

Each API view carries a ``@doc(...)`` description (summary, request body model, responses);
``/api/v1/openapi.json`` walks the URL map, so a new endpoint is documented where it is
written and nothing is listed twice.
"""

from __future__ import annotations

import re
from http import HTTPStatus

from flask import current_app
from pydantic import BaseModel

from passport.api import bp

#: Response schemas named by views, as JSON Schema (2020-12, which OpenAPI 3.1 uses).
RESPONSE_SCHEMAS: dict[str, dict] = {
    "Problem": {
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "errors": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
    "Account": {
        "type": "object",
        "required": ["id", "email", "full_name", "role"],
        "properties": {
            "id": {"type": "integer"},
            "email": {"type": "string"},
            "full_name": {"type": "string"},
            "role": {"type": "string"},
        },
    },
    "Token": {
        "type": "object",
        "required": ["access_token", "token_type", "expires_at"],
        "properties": {
            "access_token": {"type": "string"},
            "token_type": {"const": "Bearer"},
            "expires_at": {"type": "string", "format": "date-time"},
        },
    },
    "TotpEnrolment": {
        "type": "object",
        "required": ["secret", "otpauth_uri"],
        "properties": {"secret": {"type": "string"}, "otpauth_uri": {"type": "string"}},
    },
    "RecoveryCodes": {
        "type": "object",
        "required": ["recovery_codes"],
        "properties": {"recovery_codes": {"type": "array", "items": {"type": "string"}}},
    },
    "Record": {
        "type": "object",
        "required": ["id", "created_at", "issuer"],
        "properties": {
            "id": {"type": "integer"},
            "created_at": {"type": "string", "format": "date-time"},
            "issuer": {
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "properties": {
                            "structure": {"type": "string"},
                            "advisor": {"type": "string"},
                        },
                    },
                ]
            },
            "signature": {"type": ["string", "null"]},
            "seq": {"type": ["integer", "null"]},
            "prev_hash": {"type": ["string", "null"]},
            "hash": {"type": ["string", "null"]},
        },
    },
}
for _name in ("Training", "CpfStatement", "Reception", "Referral", "Correction"):
    RESPONSE_SCHEMAS[_name] = {"$ref": "#/components/schemas/Record"}
RESPONSE_SCHEMAS["Passport"] = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": {"type": "integer"},
        "holder": {"type": "object"},
        "receptions": {"type": "array", "items": {"$ref": "#/components/schemas/Reception"}},
        "referrals": {"type": "array", "items": {"$ref": "#/components/schemas/Referral"}},
        "trainings": {"type": "array", "items": {"$ref": "#/components/schemas/Training"}},
        "cpf": {
            "type": "object",
            "properties": {
                "balance_eur": {"type": ["number", "null"]},
                "as_of": {"type": ["string", "null"], "format": "date"},
                "statements": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/CpfStatement"},
                },
            },
        },
    },
}


def doc(
    summary: str,
    *,
    body: type[BaseModel] | None = None,
    responses: dict[int, str | type[BaseModel] | None] | None = None,
    auth: bool | None = None,
    query: dict[str, dict] | None = None,
    headers: dict[str, dict] | None = None,
    media: dict[int | str, dict[str, dict]] | None = None,
):
    """Describe an API view for the OpenAPI document.

    ``query`` and ``headers`` map optional parameter names to their JSON Schema. ``media``
    adds other media types beside JSON, by status (``"body"`` for the request body): e.g.
    ``{"body": {"application/pdf": {}}, 200: {"application/pdf": {}}}``.
    """

    def decorator(view):
        view.openapi = {
            "summary": summary,
            "body": body,
            "responses": responses or {200: None},
            "auth": auth,
            "query": query or {},
            "headers": headers or {},
            "media": media or {},
        }
        return view

    return decorator


def _schema_ref(value, components: dict) -> dict | None:
    if value is None:
        return None
    if isinstance(value, str):
        return {"$ref": f"#/components/schemas/{value}"}
    schema = value.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in schema.pop("$defs", {}).items():
        components[name] = definition
    components[value.__name__] = schema
    return {"$ref": f"#/components/schemas/{value.__name__}"}


def build_document() -> dict:
    components: dict[str, dict] = dict(RESPONSE_SCHEMAS)
    paths: dict[str, dict] = {}
    for rule in current_app.url_map.iter_rules():
        view = current_app.view_functions[rule.endpoint]
        meta = getattr(view, "openapi", None)
        if meta is None:
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation: dict = {
                "summary": meta["summary"],
                "operationId": f"{rule.endpoint}_{method.lower()}",
                "responses": {},
            }
            parameters = [
                {"name": name, "in": "path", "required": True, "schema": _path_type(rule, name)}
                for name in rule.arguments
            ]
            parameters += [
                {"name": name, "in": "query", "required": False, "schema": schema}
                for name, schema in meta["query"].items()
            ]
            parameters += [
                {"name": name, "in": "header", "required": False, "schema": schema}
                for name, schema in {
                    **meta.get("headers", {}),
                    **getattr(view, "openapi_headers", {}),
                }.items()
            ]
            if parameters:
                operation["parameters"] = parameters
            if meta["body"] is not None:
                operation["requestBody"] = {
                    "required": True,
                    "content": {
                        "application/json": {"schema": _schema_ref(meta["body"], components)},
                        **meta.get("media", {}).get("body", {}),
                    },
                }
            secured = meta["auth"] if meta["auth"] is not None else getattr(view, "api_auth", False)
            if secured:
                operation["security"] = [{"bearer": []}]
            responses = dict(meta["responses"])
            if meta["body"] is not None:
                responses.setdefault(400, None)
                responses.setdefault(422, None)
            if secured:
                responses.setdefault(401, None)
            for status, schema in sorted(responses.items()):
                entry: dict = {"description": HTTPStatus(status).phrase}
                if status >= 400:
                    entry["content"] = {
                        "application/problem+json": {
                            "schema": {"$ref": "#/components/schemas/Problem"}
                        }
                    }
                elif schema is not None:
                    entry["content"] = {
                        "application/json": {"schema": _schema_ref(schema, components)},
                        **meta.get("media", {}).get(status, {}),
                    }
                operation["responses"][str(status)] = entry
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Passeport SPRO API",
            "version": "1.0.0",
            "description": "Public contract of the Passeport SPRO JSON API (v1).",
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _path_type(rule, name: str) -> dict:
    converter = rule._converters.get(name)  # noqa: SLF001 (werkzeug keeps no public accessor)
    if converter is not None and type(converter).__name__ == "IntegerConverter":
        return {"type": "integer"}
    return {"type": "string"}


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 description of every endpoint."""
    return build_document()
