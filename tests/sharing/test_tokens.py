"""Share tokens: random, signed, hashed; a forged one costs no database work."""

from __future__ import annotations

import pytest

from passport.sharing import services as sharing
from passport.sharing import tokens


def test_tokens_are_random_signed_and_hashed(ctx):
    first, first_hash = tokens.new_token()
    second, _ = tokens.new_token()
    assert first != second
    secret, signature = first.split(".")
    assert len(secret) >= 43  # 32 random bytes in URL-safe base64
    assert len(signature) >= 43  # HMAC-SHA256
    assert tokens.is_authentic(first)
    assert len(first_hash) == 64 and first not in first_hash
    assert tokens.matches(first, first_hash) and not tokens.matches(second, first_hash)


def test_a_token_from_another_secret_key_is_refused(app, ctx):
    token, _ = tokens.new_token()
    app.secret_key = "another-secret-key"
    assert not tokens.is_authentic(token)


def test_fallback_keys_keep_old_links(app, ctx):
    token, _ = tokens.new_token()
    old = app.secret_key
    app.secret_key = "the-new-key"
    app.config["SECRET_KEY_FALLBACKS"] = [old]
    assert tokens.is_authentic(token)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "a.b",
        "x" * 87,
        "x" * 43 + "." + "y" * 43,
        "é" * 40 + "." + "é" * 40,
        "x" * 10_000,
        None,
        42,
    ],
)
def test_forged_tokens_are_not_authentic(ctx, bad):
    assert not tokens.is_authentic(bad)


def test_forged_token_costs_no_query(app, count_queries):
    with app.app_context():
        token, _ = tokens.new_token()
        secret, signature = token.split(".")
        forged = secret[:-1] + ("A" if secret[-1] != "A" else "B") + "." + signature
        with count_queries() as q, pytest.raises(sharing.ShareNotFound):
            sharing.open_share(forged, structure=None)
        assert q.count == 0
        with count_queries() as q, pytest.raises(sharing.ShareNotFound):
            sharing.peek_share(forged)
        assert q.count == 0
