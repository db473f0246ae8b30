"""Verification of an export bundle (format: ``passport.trust.export``).

``verify_bundle(bundle, trusted)`` recomputes every hash from its content, follows the chain
links, checks each structure's signature and the service's attestation, and says, record by
record, what is attested by which structure, what the holder declared, and what is wrong.

Which keys are trusted matters:
- with ``trusted=None`` only the bundle's own keys are used. That proves the bundle is
  *consistent* (nothing edited, removed or reordered since it was signed) but not *who*
  signed: anyone can make a key, sign a forged record with it and put the key in the bundle;
- with ``trusted=server_keys()`` (the API, the public page, the CLI) every key must also be a
  key that this service publishes, for the structure that the record names as its issuer.
  ``jwks_keys(document)`` does the same with a downloaded ``/.well-known/jwks.json``.

Corrections (``kind: "correction"``, ``passport.records.services.correct_record``) are
checked against the records they name: the record must come earlier in the bundle with the
same seq and hash, be written by the same structure as the correction, and be rectified at
most once and withdrawn at most once, with nothing after its withdrawal. The report marks
each corrected record (``corrected_by``: the seq of its latest correction, ``withdrawn``,
``corrections``); a bundle entry's own ``corrected_by``/``withdrawn`` must agree.

Findings carry a stable ``code`` and parameters; ``describe`` turns them into plain French.

Anyone may send a bundle, so the work is bounded by the bundle's size: the body is at most
``MAX_BUNDLE_BYTES`` (20 MiB, API.md), a bundle holds at most ``MAX_RECORDS`` records and
``MAX_KEYS`` keys in all (``TooLarge`` otherwise, before any key is read), each key is
imported at most once (``_BundleKeys``), and each record costs one signature check at most.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flask import has_request_context
from flask_babel import gettext

from passport.extensions import db
from passport.structures.models import SigningKey, Structure
from passport.trust.canonical import canonical_json, link_bytes, sha256_hex
from passport.trust.export import FORMAT, attested_part
from passport.trust.signing import (
    import_public_key,
    service_jwks,
    verify_compact_with,
)

HASH_LENGTH = 64
#: Largest bundle accepted (API.md: over 20 MiB answers 413); applied by ``create_app`` to
#: the verifying endpoints.
MAX_BUNDLE_BYTES = 20 * 1024 * 1024
#: A passport's records over a lifetime are counted in hundreds; far above that is not one.
MAX_RECORDS = 5_000
#: Keys of every structure plus the service's: a few per structure that signed.
MAX_KEYS = 2_000


class NotABundle(ValueError):
    """The document is not a bundle at all (not an export of this service)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("not a passeport-spro bundle")
        self.errors = errors


class TooLarge(NotABundle):
    """Shaped like a bundle but holding more records or keys than a passport ever does."""


@dataclass
class Finding:
    """One problem: a stable code, the record it is about (if any), parameters."""

    code: str
    seq: int | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class RecordCheck:
    """What the verification says about one record of the bundle."""

    position: int
    seq: Any
    kind: Any
    content: dict | None
    issuer: dict | None
    status: str = "self_declared"  # attested | self_declared | invalid
    kid: str | None = None
    problems: list[Finding] = field(default_factory=list)
    #: The corrections of this record found in the bundle: {seq, action, reason, changes}.
    corrections: list[dict] = field(default_factory=list)

    @property
    def corrected_by(self) -> int | None:
        return self.corrections[-1]["seq"] if self.corrections else None

    @property
    def withdrawn(self) -> bool:
        return any(c["action"] == "withdraw" for c in self.corrections)

    @property
    def structure(self) -> str | None:
        return self.issuer.get("structure") if isinstance(self.issuer, dict) else None


@dataclass
class Verification:
    """The whole answer: ``valid`` only when there is no problem at all."""

    records: list[RecordCheck]
    problems: list[Finding]
    checked_against: str
    holder: dict
    exported_at: Any
    head: dict
    structure_names: dict[str, str]

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass
class TrustedKeys:
    """Keys that the verifier trusts, from outside the bundle."""

    source: str  # "server" or "jwks"
    #: kid -> (structure code, or None when the source does not say, public JWK)
    structure_keys: dict[str, tuple[str | None, dict]]
    service_keys: dict[str, dict]
    structure_names: dict[str, str] = field(default_factory=dict)


def server_keys() -> TrustedKeys:
    """Every key this service publishes, with the structure that owns it."""
    rows = db.session.execute(
        db.select(SigningKey.kid, SigningKey.public_jwk, Structure.code, Structure.name).join(
            Structure, SigningKey.structure_id == Structure.id
        )
    ).all()
    return TrustedKeys(
        source="server",
        structure_keys={row.kid: (row.code, dict(row.public_jwk)) for row in rows},
        service_keys={key["kid"]: key for key in service_jwks()["keys"]},
        structure_names={row.code: row.name for row in rows},
    )


def jwks_keys(document: dict) -> TrustedKeys:
    """Keys from a JWK Set document (e.g. a saved ``/.well-known/jwks.json``)."""
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list):
        raise NotABundle({"keys": ["not a JWK Set"]})
    found = {k["kid"]: k for k in keys if isinstance(k, dict) and isinstance(k.get("kid"), str)}
    return TrustedKeys(
        source="jwks",
        structure_keys={kid: (None, key) for kid, key in found.items()},
        service_keys=found,
    )


# --- reading the document ---------------------------------------------------------------


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def load_json(raw: bytes | str) -> Any:
    """Parse untrusted JSON: ``ValueError`` on anything that is not plain JSON."""
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def check_shape(bundle: Any) -> None:
    """Raise ``NotABundle`` unless the document has the top-level shape of a bundle."""
    if not isinstance(bundle, dict):
        raise NotABundle({"body": ["a bundle is a JSON object"]})
    errors: dict[str, list[str]] = {}
    if bundle.get("format") != FORMAT:
        errors["format"] = [f"must be {FORMAT!r}"]
    expected = {
        "records": list,
        "holder": dict,
        "head": dict,
        "jwks": dict,
        "exported_at": str,
    }
    for name, kind in expected.items():
        if not isinstance(bundle.get(name), kind):
            errors[name] = [f"missing or not a JSON {'array' if kind is list else kind.__name__}"]
    if errors:
        raise NotABundle(errors)


def _key_lists(bundle: dict) -> list[list]:
    """Every JWK Set ``keys`` list in the bundle (structures' and the service's)."""
    sets = [*bundle["jwks"].values(), bundle.get("service_jwks")]
    return [s["keys"] for s in sets if isinstance(s, dict) and isinstance(s.get("keys"), list)]


def check_limits(bundle: dict) -> None:
    """Raise ``TooLarge`` when the bundle holds more than a passport ever does."""
    errors: dict[str, list[str]] = {}
    if len(bundle["records"]) > MAX_RECORDS:
        errors["records"] = [f"at most {MAX_RECORDS} records"]
    if len(bundle["jwks"]) > MAX_KEYS or sum(map(len, _key_lists(bundle))) > MAX_KEYS:
        errors["jwks"] = [f"at most {MAX_KEYS} keys in all (jwks and service_jwks)"]
    if errors:
        raise TooLarge(errors)


class _BundleKeys:
    """A bundle's public keys, indexed by kid on first use and each imported at most once."""

    def __init__(self, key_sets: dict) -> None:
        self._sets = key_sets
        self._index: dict[str, dict[str, dict]] = {}
        self._imported: dict[tuple[str, str], Any] = {}

    def jwk(self, name: str, kid: str) -> dict:
        """The JWK of ``kid`` in the set ``name`` (first one listed), or an empty dict."""
        if name not in self._index:
            key_set = self._sets.get(name)
            keys = key_set.get("keys") if isinstance(key_set, dict) else None
            index: dict[str, dict] = {}
            for key in keys if isinstance(keys, list) else []:
                if isinstance(key, dict) and isinstance(key.get("kid"), str):
                    index.setdefault(key["kid"], key)
            self._index[name] = index
        return self._index[name].get(kid, {})

    def key(self, name: str, kid: str):
        """The imported public key of ``kid`` in the set ``name``, or None."""
        if (name, kid) not in self._imported:
            jwk = self.jwk(name, kid)
            self._imported[(name, kid)] = import_public_key(jwk) if jwk else None
        return self._imported[(name, kid)]

    def verify(self, name: str, token: Any) -> tuple[bool, bytes | None, str | None]:
        """Check a compact JWS with the set ``name``: (valid, payload, kid)."""
        return verify_compact_with(token, lambda kid: self.key(name, kid))


# --- verification -----------------------------------------------------------------------


def _is_hash(value: Any) -> bool:
    return (
        isinstance(value, str)
        and len(value) == HASH_LENGTH
        and all(c in "0123456789abcdef" for c in value)
    )


def _same_public_key(a: dict, b: dict) -> bool:
    return all(a.get(name) == b.get(name) for name in ("kty", "crv", "x")) and bool(a.get("x"))


def _canonical(value: Any) -> bytes | None:
    try:
        return canonical_json(value)
    except (ValueError, TypeError, RecursionError):
        return None


def _link(seq: Any, prev_hash: Any, canonical: bytes) -> bytes | None:
    try:
        return link_bytes(seq, prev_hash, canonical)
    except (ValueError, TypeError, RecursionError):
        return None


def verify_bundle(bundle: Any, trusted: TrustedKeys | None = None) -> Verification:
    """Check a bundle; ``NotABundle`` if it is not one at all."""
    check_shape(bundle)
    check_limits(bundle)
    holder = bundle["holder"]
    passport_id = holder.get("passport")
    jwks = _BundleKeys(bundle["jwks"])
    listed = bundle.get("structures")
    names: dict[str, str] = {}
    if isinstance(listed, dict):
        names = {
            code: entry["name"]
            for code, entry in listed.items()
            if isinstance(entry, dict) and isinstance(entry.get("name"), str)
        }
    if trusted is not None:
        names.update(trusted.structure_names)
    problems: list[Finding] = []
    checks: list[RecordCheck] = []
    previous_hash: str | None = None
    for position, item in enumerate(bundle["records"], start=1):
        check = _check_record(position, item, previous_hash, passport_id, jwks, trusted)
        checks.append(check)
        problems += check.problems
        previous_hash = item.get("hash") if isinstance(item, dict) else None
    problems += _check_corrections(checks, bundle["records"])
    problems += _check_head(bundle)
    problems += _check_attestation(bundle, trusted)
    return Verification(
        records=checks,
        problems=problems,
        checked_against=trusted.source if trusted is not None else "bundle",
        holder=holder,
        exported_at=bundle["exported_at"],
        head=bundle["head"],
        structure_names=names,
    )


def _check_record(
    position: int,
    item: Any,
    previous_hash: str | None,
    passport_id: Any,
    jwks: _BundleKeys,
    trusted: TrustedKeys | None,
) -> RecordCheck:
    if not isinstance(item, dict):
        check = RecordCheck(position, None, None, None, None, status="invalid")
        check.problems.append(Finding("record_malformed", position, {"position": position}))
        return check
    seq, content = item.get("seq"), item.get("content")
    check = RecordCheck(
        position,
        seq,
        item.get("kind"),
        content if isinstance(content, dict) else None,
        content.get("issuer") if isinstance(content, dict) else None,
    )
    found = check.problems
    at = seq if isinstance(seq, int) else position
    prev_hash, record_hash = item.get("prev_hash"), item.get("hash")
    signature = item.get("signature")
    if (
        not isinstance(seq, int)
        or isinstance(seq, bool)
        or not isinstance(content, dict)
        or not isinstance(item.get("kind"), str)
        or not (prev_hash is None or isinstance(prev_hash, str))
        or not isinstance(record_hash, str)
        or not (signature is None or isinstance(signature, str))
    ):
        found.append(Finding("record_malformed", at, {"position": position}))
        check.status = "invalid"
        return check

    # Place in the chain: numbering, link to the previous record, content agreeing with both.
    if seq != position:
        found.append(Finding("seq_mismatch", at, {"position": position, "seq": seq}))
    if prev_hash != previous_hash:
        found.append(Finding("chain_broken", at))
    for name, expected in (
        ("seq", seq),
        ("prev_hash", prev_hash),
        ("kind", item["kind"]),
        ("passport", passport_id),
    ):
        if content.get(name) != expected:
            found.append(Finding("content_mismatch", at, {"field": name}))
    # The hash, recomputed from the content (canonicalised once, for the link and the
    # signature).
    canonical = _canonical(content)
    link = None if canonical is None else _link(seq, prev_hash, canonical)
    if canonical is None or link is None:
        found.append(Finding("record_malformed", at, {"position": position}))
    elif not _is_hash(record_hash) or sha256_hex(link) != record_hash:
        found.append(Finding("hash_mismatch", at))

    # Who wrote it: the holder (no issuer, no signature) or a structure (signed).
    issuer = content.get("issuer")
    if issuer is None:
        if signature is not None:
            found.append(Finding("unexpected_signature", at))
    elif not isinstance(issuer, dict) or not isinstance(issuer.get("structure"), str):
        found.append(Finding("record_malformed", at, {"position": position}))
    elif signature is None:
        found.append(Finding("signature_missing", at, {"structure": issuer["structure"]}))
    elif canonical is not None:
        _check_signature(check, at, issuer["structure"], signature, canonical, jwks, trusted)

    if found:
        check.status = "invalid"
    elif issuer is not None:
        check.status = "attested"
    return check


def _check_signature(
    check: RecordCheck,
    at: int,
    structure: str,
    signature: str,
    canonical: bytes,
    jwks: _BundleKeys,
    trusted: TrustedKeys | None,
) -> None:
    found = check.problems
    ok, payload, kid = jwks.verify(structure, signature)
    check.kid = kid
    if not ok or kid is None:
        found.append(Finding("signature_invalid", at, {"structure": structure}))
        return
    if payload != canonical:
        found.append(Finding("signature_payload_mismatch", at))
    if trusted is None:
        return
    if kid not in trusted.structure_keys:
        found.append(Finding("key_unknown", at, {"kid": kid, "structure": structure}))
        return
    owner, published = trusted.structure_keys[kid]
    if owner is not None and owner != structure:
        found.append(
            Finding("key_not_of_issuer", at, {"kid": kid, "structure": structure, "owner": owner})
        )
    # The signature was checked with the bundle's key; the published key is the same key
    # material (kty, crv, x), so checking again with it would give the same answer.
    if not _same_public_key(jwks.jwk(structure, kid), published):
        found.append(Finding("key_unknown", at, {"kid": kid, "structure": structure}))


CORRECTABLE_KINDS = frozenset({"reception", "referral", "training", "cpf_statement"})


def _check_corrections(checks: list[RecordCheck], items: list) -> list[Finding]:
    """Each correction against the record it names; each entry's claims against the chain."""
    found: list[Finding] = []
    by_target: dict[tuple[Any, Any], RecordCheck] = {}
    for check in checks:
        content = check.content
        if content is None:
            continue
        if check.kind != "correction":
            key = _record_key(check.kind, content.get("id"))
            if key is not None and check.kind in CORRECTABLE_KINDS:
                by_target[key] = check
            continue
        at = check.seq if isinstance(check.seq, int) else check.position
        target_ref = content.get("record")
        action = content.get("action")
        if not isinstance(target_ref, dict) or action not in ("rectify", "withdraw"):
            found.append(Finding("record_malformed", at, {"position": check.position}))
            continue
        key = _record_key(target_ref.get("kind"), target_ref.get("id"))
        target = by_target.get(key) if key is not None else None
        if (
            target is None
            or target.seq != target_ref.get("seq")
            or _item_hash(items, target.position) != target_ref.get("hash")
        ):
            found.append(Finding("correction_target_unknown", at))
            continue
        if check.structure is None or check.structure != target.structure:
            found.append(
                Finding(
                    "correction_not_by_issuer",
                    at,
                    {"seq": target.seq, "structure": check.structure or "?"},
                )
            )
        elif target.withdrawn or (
            action == "rectify" and any(c["action"] == "rectify" for c in target.corrections)
        ):
            found.append(Finding("correction_conflict", at, {"seq": target.seq}))
        target.corrections.append(
            {
                "seq": check.seq,
                "action": action,
                "reason": content.get("reason"),
                "changes": content.get("changes"),
                "created_at": content.get("created_at"),
            }
        )
    for check in checks:
        item = items[check.position - 1]
        if not isinstance(item, dict):
            continue
        claims_withdrawn = item.get("withdrawn", check.withdrawn)
        claims_by = item.get("corrected_by", check.corrected_by)
        if claims_withdrawn != check.withdrawn or claims_by != check.corrected_by:
            at = check.seq if isinstance(check.seq, int) else check.position
            found.append(Finding("correction_claim_mismatch", at))
    for finding in found:
        if isinstance(finding.seq, int) and 1 <= finding.seq <= len(checks):
            check = checks[finding.seq - 1]
            if check.seq == finding.seq:
                check.problems.append(finding)
                check.status = "invalid"
    return found


def _record_key(kind: Any, record_id: Any) -> tuple[str, int] | None:
    """(kind, id) of a record named in a bundle, or None when they are not a str and an int."""
    if isinstance(kind, str) and isinstance(record_id, int) and not isinstance(record_id, bool):
        return kind, record_id
    return None


def _item_hash(items: list, position: int) -> Any:
    item = items[position - 1]
    return item.get("hash") if isinstance(item, dict) else None


def _check_head(bundle: dict) -> list[Finding]:
    head = bundle["head"]
    records = bundle["records"]
    last = records[-1] if records and isinstance(records[-1], dict) else None
    last_seq = last.get("seq") if last else 0
    last_hash = last.get("hash") if last else None
    if head.get("seq") != last_seq or head.get("hash") != last_hash:
        return [Finding("head_mismatch", None, {"head_seq": head.get("seq"), "last_seq": last_seq})]
    return []


def _check_attestation(bundle: dict, trusted: TrustedKeys | None) -> list[Finding]:
    attestation = bundle.get("attestation")
    if not isinstance(attestation, str):
        return [Finding("attestation_missing")]
    keys = _BundleKeys({"service": bundle.get("service_jwks")})
    ok, payload, kid = keys.verify("service", attestation)
    expected = _canonical(attested_part(bundle))
    if not ok or kid is None:
        return [Finding("attestation_invalid")]
    if expected is None or payload != expected:
        return [Finding("attestation_invalid")]
    if trusted is None:
        return []
    published = trusted.service_keys.get(kid)
    if published is None or not _same_public_key(keys.jwk("service", kid), published):
        return [Finding("service_key_unknown", None, {"kid": kid})]
    return []


# --- plain French -------------------------------------------------------------------------


def _l(msgid: str) -> str:
    """Mark a message for extraction (``pybabel extract -k _l``); ``describe`` translates it."""
    return msgid


MESSAGES: dict[str, str] = {
    "record_malformed": _l("L'enregistrement en position %(position)s est incomplet ou mal formé."),
    "seq_mismatch": _l(
        "L'enregistrement en position %(position)s porte le numéro %(seq)s : un enregistrement "
        "a été retiré, ajouté ou déplacé."
    ),
    "chain_broken": _l(
        "Le lien avec l'enregistrement précédent est rompu : un enregistrement a été retiré, "
        "déplacé ou modifié avant celui-ci."
    ),
    "content_mismatch": _l(
        "Le contenu ne correspond pas à la place de l'enregistrement dans le passeport "
        "(champ « %(field)s »)."
    ),
    "hash_mismatch": _l(
        "L'empreinte ne correspond plus au contenu : l'enregistrement a été modifié."
    ),
    "signature_missing": _l(
        "L'enregistrement se dit écrit par %(structure)s mais ne porte pas sa signature."
    ),
    "signature_invalid": _l(
        "La signature n'est pas valable avec les clés de %(structure)s : elle a été modifiée "
        "ou fabriquée."
    ),
    "signature_payload_mismatch": _l(
        "La signature porte sur un autre contenu que celui présenté : l'enregistrement a été "
        "modifié."
    ),
    "key_unknown": _l(
        "La clé %(kid)s qui a signé n'est pas une clé publiée par ce service pour "
        "%(structure)s : la signature a pu être fabriquée."
    ),
    "key_not_of_issuer": _l(
        "La clé %(kid)s appartient à %(owner)s, pas à %(structure)s qui est présentée comme "
        "l'auteur."
    ),
    "unexpected_signature": _l(
        "L'enregistrement est présenté comme déclaré par le titulaire mais porte une signature."
    ),
    "head_mismatch": _l(
        "La fin du passeport annoncée (n° %(head_seq)s) ne correspond pas au dernier "
        "enregistrement (n° %(last_seq)s) : des enregistrements ont été retirés ou ajoutés."
    ),
    "correction_target_unknown": _l(
        "Cette correction vise un enregistrement qui ne figure pas plus haut dans l'export, ou "
        "qui n'est plus celui qu'elle désigne."
    ),
    "correction_not_by_issuer": _l(
        "Cette correction de l'enregistrement n° %(seq)s n'est pas signée par la structure "
        "qui l'a écrit : seule cette structure peut le corriger."
    ),
    "correction_conflict": _l(
        "L'enregistrement n° %(seq)s était déjà retiré, ou déjà rectifié une fois : cette "
        "correction n'est pas possible."
    ),
    "correction_claim_mismatch": _l(
        "L'export présente cet enregistrement comme corrigé ou retiré autrement que ne le "
        "disent les corrections signées qu'il contient."
    ),
    "attestation_missing": _l("L'export ne porte pas la signature du service."),
    "attestation_invalid": _l(
        "La signature du service ne correspond pas à cet export : le titulaire, la date "
        "d'export ou la fin du passeport ont été modifiés."
    ),
    "service_key_unknown": _l(
        "L'export a été signé par une clé que ce service ne publie pas (%(kid)s) : il n'a pas "
        "été produit par ce service, ou sa clé a été renouvelée depuis."
    ),
}


def describe(finding: Finding) -> str:
    """The finding in plain French (translated when a request asks for another language)."""
    msgid = MESSAGES[finding.code]
    params = {k: ("?" if v is None else v) for k, v in finding.params.items()}
    if has_request_context():
        return gettext(msgid, **params)
    return msgid % params


def finding_json(finding: Finding) -> dict:
    return {"code": finding.code, "seq": finding.seq, "message": describe(finding)}


def verification_json(result: Verification) -> dict:
    """The API answer: ``{valid, records, problems}`` (API.md) and a few useful extras."""
    return {
        "valid": result.valid,
        "records": [
            {
                "seq": check.seq,
                "kind": check.kind,
                "status": check.status,
                "issuer": check.issuer,
                "issuer_name": result.structure_names.get(check.structure or ""),
                "kid": check.kid,
                "problems": [finding_json(f) for f in check.problems],
                **(
                    {"corrected_by": check.corrected_by, "withdrawn": check.withdrawn}
                    if isinstance(check.kind, str) and check.kind in CORRECTABLE_KINDS
                    else {}
                ),
                **({"corrections": check.corrections} if check.corrections else {}),
            }
            for check in result.records
        ],
        "problems": [finding_json(f) for f in result.problems],
        "checked_against": result.checked_against,
        "exported_at": result.exported_at,
        "head": result.head,
    }
