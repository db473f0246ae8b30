"""The link's canonical bytes built around the content's are RFC 8785's, byte for byte.

``link_bytes`` (and ``seal``, which the records path and the bench seeder use) must give
exactly what ``rfc8785.dumps`` of the whole link ``{"seq", "prev_hash", "record"}`` gave
before: otherwise every stored hash would stop verifying.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc import jws

from passport.extensions import db
from passport.passports.models import CpfStatement, Reception, Referral, ReferralEvent, Training
from passport.trust.canonical import (
    canonical_json,
    chain_hash,
    link_bytes,
    record_content,
    seal,
)

# JSON values as they come out of json.loads or record_content: every kind of string
# (non-ASCII, astral, control characters, quotes, keys that sort differently in UTF-16 than
# in code points), integers of the safe domain, finite floats, nested lists and objects.
_SAFE = 2**53 - 1
_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-_SAFE, _SAFE)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _text
)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=20,
)
_content = st.dictionaries(_text, _json, max_size=8)
_hash = st.none() | st.text("0123456789abcdef", min_size=64, max_size=64) | _text


def _whole(seq, prev_hash, content) -> bytes:
    return rfc8785.dumps({"seq": seq, "prev_hash": prev_hash, "record": content})


@settings(max_examples=400, deadline=None)
@given(seq=st.integers(-_SAFE, _SAFE), prev_hash=_hash, content=_content)
def test_the_link_is_the_content_s_bytes_inside_rfc8785_s_order(seq, prev_hash, content):
    expected = _whole(seq, prev_hash, content)
    assert link_bytes(seq, prev_hash, rfc8785.dumps(content)) == expected
    assert chain_hash(seq, prev_hash, content) == hashlib.sha256(expected).hexdigest()
    signed, digest = seal(seq, prev_hash, content)
    assert signed == rfc8785.dumps(content) == canonical_json(content)
    assert digest == hashlib.sha256(expected).hexdigest()


def test_hand_picked_values_give_the_same_bytes():
    contents = [
        {},
        {"summary": "Léa, née à Besançon — « soudeuse » 🚀", "needs": ["vae", "job_search"]},
        {"hours": 35.5, "balance_eur": 1200, "tiny": 1e-7, "big": 1e21, "neg": -0.0},
        {"nested": [[1, [2, [3, []]]], {"b": {"a": None}}], "": "", "\u20ac": "\U0001f600"},
        # Keys whose UTF-16 order differs from their code points' order (RFC 8785 §3.2.3).
        {"\ue000": 1, "\U0001f600": 2, "a\nb": 3, 'q"': 4, "\\": 5},
    ]
    for seq, prev_hash in [(1, None), (2, "0" * 64), (2**53 - 1, "f" * 64), (0, "é")]:
        for content in contents:
            assert link_bytes(seq, prev_hash, rfc8785.dumps(content)) == _whole(
                seq, prev_hash, content
            )


def test_link_bytes_fail_as_rfc8785_fails():
    for seq, prev_hash in [(2**53, None), (1, "\ud800")]:
        for build, given_content in ((_whole, {}), (link_bytes, b"{}")):
            try:
                build(seq, prev_hash, given_content)
            except rfc8785.CanonicalizationError:
                continue
            raise AssertionError(f"{seq!r}, {prev_hash!r} canonicalised")


def test_every_record_of_the_app_seals_as_its_whole_link(app, world):
    """The records written through ``passport.records`` (every kind, issuers, advisors,
    decimals, dates, accented free texts): their stored hash and signature payload are the
    whole link's and the content's RFC 8785 bytes."""
    with app.app_context():
        count = 0
        for model in (Reception, Referral, ReferralEvent, Training, CpfStatement):
            for record in db.session.execute(db.select(model)).scalars():
                content = record_content(record)
                signed, digest = seal(record.seq, record.prev_hash, content)
                assert signed == rfc8785.dumps(json.loads(signed)) == canonical_json(content)
                if record.signature is not None:  # the JWS signs those very bytes
                    payload = jws.extract_compact(record.signature.encode()).payload
                    assert payload == signed
                if record.passport_id is not None:  # anonymous receptions are not chained
                    expected = _whole(record.seq, record.prev_hash, content)
                    assert digest == hashlib.sha256(expected).hexdigest() == record.hash
                    count += 1
        assert count >= 5


def test_timestamps_and_decimals_go_through_record_content_first():
    """``seal`` takes plain JSON values only: a datetime or a Decimal raises instead of
    being hashed in some other form."""
    for value in (datetime(2026, 5, 20, tzinfo=UTC), Decimal("1.5")):
        try:
            seal(1, None, {"at": value})
        except rfc8785.CanonicalizationError:
            continue
        raise AssertionError(f"{value!r} was sealed")
