"""Passkeys on the web site: register, name, delete, and log in with one as the second factor.

A software authenticator (tests/mfa/authenticator.py) answers the options each page carries,
so the server's real checks run; answers are then replayed, tampered with, sent late, or
sent to the wrong ceremony: each is a 4xx, never a 500.
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime

import pytest
from webauthn.helpers import base64url_to_bytes

from passport.extensions import db, limiter
from passport.mfa.models import Passkey, PasskeyChallenge, RecoveryCode
from passport.security import secret_hash
from tests import factories
from tests.mfa.authenticator import SoftAuthenticator, options_on, tamper
from tests.mfa.helpers import password_step, recovery_codes_on
from tests.web import login, submit

ADD = "/compte/securite/cles/ajouter"
VERIFY = "/connexion/verification"
VERIFY_KEY = "/connexion/verification/cle"


def text(response) -> str:
    """The page as a person reads it (entities decoded)."""
    return html.unescape(response.get_data(as_text=True))


def assert_passkey_form(page: str, action: str) -> None:
    """The passkey form posts to ``action`` with its own CSRF token and answer field."""
    form = re.search(
        r'<form method="post" action="([^"]+)"[^>]*data-passkey=.*?</form>', page, re.S
    )
    assert form and form.group(1) == action
    assert 'name="csrf_token"' in form.group(0) and 'name="credential"' in form.group(0)


def add_passkey(client, authenticator, name="Ordinateur du bureau", **create):
    """Register ``authenticator`` from the account page; the answer page."""
    page = client.get(ADD)
    assert page.status_code == 200
    assert_passkey_form(page.get_data(as_text=True), ADD)
    answer = authenticator.create(options_on(page.get_data(as_text=True)), **create)
    return submit(client, ADD, {"name": name, "credential": json.dumps(answer)})


def logout(client):
    submit(client, "/deconnexion", {}, form_url="/compte/securite")


def passkey_step(client, authenticator, **get):
    """On the verification page of a pending login, answer with ``authenticator``."""
    page = client.get(VERIFY)
    assert page.status_code == 200
    assert_passkey_form(page.get_data(as_text=True), VERIFY_KEY)
    answer = authenticator.get(options_on(page.get_data(as_text=True)), **get)
    return answer, submit(client, VERIFY_KEY, {"credential": json.dumps(answer)}, form_url=VERIFY)


def post_answer(client, answer) -> int:
    body = answer if isinstance(answer, str) else json.dumps(answer)
    return submit(client, VERIFY_KEY, {"credential": body}, form_url=VERIFY).status_code


@pytest.fixture
def holder_with_passkey(client, ctx):
    user = factories.holder("lea@example.org")
    login(client, user.email)
    key = SoftAuthenticator()
    r = add_passkey(client, key)
    assert r.status_code == 200, r.get_data(as_text=True)[:800]
    logout(client)
    return user, key


def test_register_then_log_in_with_the_passkey(client, ctx):
    user = factories.holder("lea@example.org")
    login(client, user.email)
    page = text(client.get("/compte/securite"))
    assert "Aucune clé d'accès" in page
    key = SoftAuthenticator()

    r = add_passkey(client, key, name="  Ordinateur   du bureau ")

    # The first second factor of the account: recovery codes, shown once.
    assert r.status_code == 200
    assert len(recovery_codes_on(r.get_data(as_text=True))) == 10
    stored = db.session.execute(db.select(Passkey)).scalar_one()
    assert (stored.user_id, stored.name, stored.credential_id) == (
        user.id,
        "Ordinateur du bureau",
        key.id,
    )
    assert stored.transports == ["internal"] and stored.sign_count == 1
    settings = client.get("/compte/securite").get_data(as_text=True)
    assert "Ordinateur du bureau" in settings and "Jamais" in settings
    logout(client)

    r = password_step(client, user.email)
    assert r.location.endswith(VERIFY)
    assert client.get("/passeport/").status_code == 302  # not logged in yet
    answer, r = passkey_step(client, key)

    assert r.status_code == 302 and r.location.endswith("/passeport/")
    assert client.get("/passeport/").status_code == 200
    db.session.expire_all()
    used = db.session.get(Passkey, stored.id)
    assert used.sign_count == 2 and used.last_used_at is not None
    challenge = json.loads(base64url_to_bytes(answer["response"]["clientDataJSON"]))["challenge"]
    spent = db.select(PasskeyChallenge).where(
        PasskeyChallenge.challenge_hash == secret_hash(challenge)
    )
    assert db.session.execute(spent).first() is None


def test_a_second_passkey_brings_no_new_recovery_codes(client, ctx, holder_with_passkey):
    user, _key = holder_with_passkey
    login_with = SoftAuthenticator()
    password_step(client, user.email)
    _a, r = passkey_step(client, _key)
    assert r.status_code == 302
    r = add_passkey(client, login_with, name="Téléphone")
    assert r.status_code == 302 and r.location.endswith("/compte/securite")
    page = text(client.get("/compte/securite"))
    assert "La clé d'accès est ajoutée" in page and "Téléphone" in page
    assert db.session.execute(db.select(db.func.count(RecoveryCode.id))).scalar_one() == 10


def test_a_replayed_login_answer_is_refused(client, ctx, holder_with_passkey):
    user, key = holder_with_passkey
    password_step(client, user.email)
    answer, r = passkey_step(client, key)
    assert r.status_code == 302
    logout(client)

    password_step(client, user.email)
    assert post_answer(client, answer) == 400  # its challenge is spent
    assert client.get("/passeport/").status_code == 302


def test_tampered_or_malformed_answers_are_4xx(client, ctx, holder_with_passkey):
    user, key = holder_with_passkey
    broken = [
        lambda a: tamper(a, "signature", at=10),
        lambda a: tamper(a, "authenticatorData", at=0),  # another RP id hash
        lambda a: tamper(a, "authenticatorData", at=-1),  # another sign count
        lambda a: tamper(a, "clientDataJSON", at=20),  # the challenge changed
        lambda a: "{not json",
        lambda a: "[1, 2]",
        lambda a: "",
        lambda a: json.dumps({"id": key.id, "response": "nope"}),
        lambda a: {**a, "response": {**a["response"], "clientDataJSON": "%%%"}},
        lambda a: {**a, "response": {**a["response"], "signature": 5}},
        lambda a: {**a, "id": "x" * 2000},
    ]
    for change in broken:
        limiter.reset()  # each refusal spends the login budget (10 a minute): not tested here
        password_step(client, user.email)  # a new pending login: five tries each
        good = key.get(options_on(client.get(VERIFY).get_data(as_text=True)))
        assert post_answer(client, change(good)) == 400, change(good)
        assert client.get("/passeport/").status_code == 302
    # The same authenticator, answering properly, still logs in.
    _answer, r = passkey_step(client, key)
    assert r.status_code == 302 and client.get("/passeport/").status_code == 200


def test_five_refused_answers_end_the_pending_login(client, ctx, holder_with_passkey):
    user, _key = holder_with_passkey
    password_step(client, user.email)
    for _ in range(4):
        assert post_answer(client, "{}") == 400
    r = submit(client, VERIFY_KEY, {"credential": "{}"}, form_url=VERIFY)
    assert r.status_code == 302 and r.location.endswith("/connexion")
    assert client.get(VERIFY).status_code == 302  # the password again


def test_wrong_origin_rp_or_ceremony_are_refused(client, ctx, holder_with_passkey):
    user, key = holder_with_passkey
    cases = [
        {"origin": "https://evil.example"},
        {"rp_id": "evil.example"},
        {"flags": 0x00},  # no user presence
    ]
    for case in cases:
        password_step(client, user.email)
        page = client.get(VERIFY).get_data(as_text=True)
        r = submit(
            client,
            VERIFY_KEY,
            {"credential": json.dumps(key.get(options_on(page), **case))},
            form_url=VERIFY,
        )
        assert r.status_code == 400, case
        assert "pas fourni de clé d'accès valide" in text(r)
    # A registration answer (webauthn.create) is not a login answer.
    password_step(client, user.email)
    options = options_on(client.get(VERIFY).get_data(as_text=True))
    created = SoftAuthenticator().create(
        {"rp": {"id": "localhost"}, "challenge": options["challenge"]}
    )
    assert post_answer(client, created) == 400


def test_an_expired_challenge_is_refused(client, ctx, holder_with_passkey):
    user, key = holder_with_passkey
    password_step(client, user.email)
    answer = key.get(options_on(client.get(VERIFY).get_data(as_text=True)))
    db.session.execute(
        db.update(PasskeyChallenge).values(expires_at=datetime(2020, 1, 1, tzinfo=UTC))
    )
    db.session.commit()
    r = submit(client, VERIFY_KEY, {"credential": json.dumps(answer)}, form_url=VERIFY)
    assert r.status_code == 400
    assert "expiré ou a déjà servi" in text(r)


def test_a_sign_counter_that_does_not_increase_is_refused(client, ctx, holder_with_passkey):
    user, key = holder_with_passkey
    key.counter = 0  # a cloned authenticator starts again from an old count
    password_step(client, user.email)
    _answer, r = passkey_step(client, key)
    assert r.status_code == 400
    assert client.get("/passeport/").status_code == 302


def test_a_passkey_without_counter_logs_in_every_time(client, ctx):
    user = factories.holder()
    login(client, user.email)
    key = SoftAuthenticator(counts=False)
    assert add_passkey(client, key).status_code == 200
    for _ in range(2):
        logout(client)
        password_step(client, user.email)
        _answer, r = passkey_step(client, key)
        assert r.status_code == 302


def test_another_accounts_passkey_is_refused(client, app, ctx, holder_with_passkey):
    _lea, key = holder_with_passkey
    other = factories.holder("sam@example.org")
    login(client, other.email)
    assert add_passkey(client, SoftAuthenticator()).status_code == 200
    logout(client)
    password_step(client, other.email)
    page = client.get(VERIFY).get_data(as_text=True)
    options = options_on(page)
    options["allowCredentials"].append({"id": key.id, "type": "public-key"})
    r = submit(client, VERIFY_KEY, {"credential": json.dumps(key.get(options))}, form_url=VERIFY)
    assert r.status_code == 400
    assert "n'est pas associée à votre compte" in text(r)


def test_registration_answers_replayed_tampered_or_duplicated(client, ctx):
    user = factories.holder()
    login(client, user.email)
    key = SoftAuthenticator()
    page = client.get(ADD).get_data(as_text=True)
    answer = key.create(options_on(page))
    tampered = tamper(answer, "clientDataJSON", at=15)
    assert submit(client, ADD, {"name": "A", "credential": json.dumps(tampered)}).status_code == 400
    assert submit(client, ADD, {"name": "A", "credential": "{oops"}).status_code == 400
    assert submit(client, ADD, {"name": "A", "credential": ""}).status_code == 400
    wrong_origin = key.create(
        options_on(client.get(ADD).get_data(as_text=True)), origin="https://x.example"
    )
    assert (
        submit(client, ADD, {"name": "A", "credential": json.dumps(wrong_origin)}).status_code
        == 400
    )
    too_long = submit(client, ADD, {"name": "x" * 101, "credential": json.dumps(answer)})
    assert too_long.status_code == 422
    assert db.session.execute(db.select(Passkey)).first() is None

    fresh = key.create(options_on(client.get(ADD).get_data(as_text=True)))
    assert submit(client, ADD, {"name": "A", "credential": json.dumps(fresh)}).status_code == 200
    # The same answer again: its challenge is spent.
    assert submit(client, ADD, {"name": "A", "credential": json.dumps(fresh)}).status_code == 400
    # The same credential on a new challenge: already registered.
    page = client.get(ADD).get_data(as_text=True)
    assert {"id": key.id, "type": "public-key", "transports": ["internal"]} in options_on(page)[
        "excludeCredentials"
    ]
    again = key.create(options_on(page))
    r = submit(client, ADD, {"name": "A", "credential": json.dumps(again)})
    assert r.status_code == 409
    assert "déjà enregistrée" in text(r)
    assert db.session.execute(db.select(db.func.count(Passkey.id))).scalar_one() == 1


def test_rename_and_delete_with_confirmation(client, ctx, holder_with_passkey):
    user, key = holder_with_passkey
    password_step(client, user.email)
    passkey_step(client, key)
    passkey = db.session.execute(db.select(Passkey)).scalar_one()
    url = f"/compte/securite/cles/{passkey.id}"

    r = submit(client, f"{url}/renommer", {"name": "Portable"})
    assert r.status_code == 302
    assert "Portable" in client.get("/compte/securite").get_data(as_text=True)
    assert submit(client, f"{url}/renommer", {"name": ""}).status_code == 422

    confirm = client.get(f"{url}/supprimer")
    assert confirm.status_code == 200
    page = text(confirm)
    assert "Supprimer la clé d'accès « Portable »" in page and "dernier second facteur" in page
    assert db.session.get(Passkey, passkey.id) is not None  # a GET deletes nothing
    r = submit(client, f"{url}/supprimer", {})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.execute(db.select(Passkey)).first() is None
    # The last second factor gone, its recovery codes go too: a password login again.
    assert db.session.execute(db.select(RecoveryCode)).first() is None
    assert client.get(f"{url}/supprimer").status_code == 404
    logout(client)
    assert password_step(client, user.email).location.endswith("/passeport/")


def test_someone_elses_passkey_is_404(client, ctx, holder_with_passkey):
    _user, _key = holder_with_passkey
    passkey = db.session.execute(db.select(Passkey)).scalar_one()
    login(client, factories.holder("sam@example.org").email)
    for action in ("renommer", "supprimer"):
        assert client.get(f"/compte/securite/cles/{passkey.id}/{action}").status_code == 404


def test_verification_page_without_passkeys_offers_none(client, ctx):
    import pyotp

    from passport.mfa import services as mfa

    user = factories.holder()
    secret, _ = mfa.start_totp(user)
    mfa.confirm_totp(user, pyotp.TOTP(secret).now())
    db.session.commit()
    password_step(client, user.email)
    page = client.get(VERIFY).get_data(as_text=True)
    assert "data-passkey-options" not in page
    assert db.session.execute(db.select(PasskeyChallenge)).first() is None
    assert post_answer(client, "{}") == 400


def test_pages_say_what_to_do_without_webauthn(client, ctx, holder_with_passkey):
    user, _key = holder_with_passkey
    password_step(client, user.email)
    page = client.get(VERIFY).get_data(as_text=True)
    # Visible until passkeys.js finds WebAuthn (no JavaScript: it stays).
    assert "data-passkey-unsupported>" in page and "Saisissez plutôt un code" in page
    assert '<script src="/static/passkeys.js" defer></script>' in page
    assert "<script>" not in page
    script = client.get("/static/passkeys.js")
    assert script.status_code == 200 and "navigator.credentials" in script.get_data(as_text=True)
    script.close()


def test_erasing_the_account_erases_its_passkeys_and_challenges(client, ctx, holder_with_passkey):
    from passport.trust.erasure import erase_account

    user, _key = holder_with_passkey
    password_step(client, user.email)
    client.get(VERIFY)  # an outstanding challenge
    assert db.session.execute(db.select(PasskeyChallenge)).first() is not None
    erase_account(user, factories.PASSWORD)
    db.session.commit()
    for model in (Passkey, PasskeyChallenge, RecoveryCode):
        assert db.session.execute(db.select(model)).first() is None, model


RENEW = "/compte/securite/codes-de-secours"
RENEW_KEY = "/compte/securite/codes-de-secours/cle"


def _code_hashes() -> set[str]:
    return set(db.session.execute(db.select(RecoveryCode.code_hash)).scalars())


def test_a_passkey_only_account_renews_its_recovery_codes_with_its_passkey(
    client, ctx, holder_with_passkey
):
    user, key = holder_with_passkey
    password_step(client, user.email)
    passkey_step(client, key)
    before = _code_hashes()
    assert len(before) == 10
    settings = client.get("/compte/securite").get_data(as_text=True)
    assert f'href="{RENEW}"' in settings  # no app: the link is under the passkeys

    page = client.get(RENEW)
    assert page.status_code == 200
    assert "Vos codes de secours actuels ne fonctionneront plus." in text(page)
    assert_passkey_form(page.get_data(as_text=True), RENEW_KEY)
    answer = key.get(options_on(page.get_data(as_text=True)))
    r = submit(client, RENEW_KEY, {"credential": json.dumps(answer)}, form_url=RENEW)

    assert r.status_code == 200
    codes = recovery_codes_on(r.get_data(as_text=True))
    assert len(codes) == 10
    db.session.expire_all()
    after = _code_hashes()
    assert len(after) == 10 and not after & before  # the old codes no longer work

    # The same answer again: its challenge is spent, nothing is renewed.
    r = submit(client, RENEW_KEY, {"credential": json.dumps(answer)}, form_url=RENEW)
    assert r.status_code == 400 and "La demande a expiré" in text(r)
    assert recovery_codes_on(r.get_data(as_text=True)) == []
    db.session.expire_all()
    assert _code_hashes() == after


def test_renewing_recovery_codes_needs_a_valid_answer_of_one_s_own_passkey(
    client, ctx, holder_with_passkey
):
    _lea, lea_key = holder_with_passkey
    sam = factories.holder("sam@example.org")
    login(client, sam.email)
    sam_key = SoftAuthenticator()
    assert add_passkey(client, sam_key).status_code == 200
    before = _code_hashes()

    def renew_page() -> dict:
        return options_on(client.get(RENEW).get_data(as_text=True))

    signed_badly = tamper(sam_key.get(renew_page()), "signature")
    for body in ("", "{}", json.dumps(signed_badly)):
        r = submit(client, RENEW_KEY, {"credential": body}, form_url=RENEW)
        assert r.status_code == 400
    # Léa's passkey answering Sam's page: not Sam's.
    options = renew_page()
    options["allowCredentials"].append({"id": lea_key.id, "type": "public-key"})
    r = submit(client, RENEW_KEY, {"credential": json.dumps(lea_key.get(options))}, form_url=RENEW)
    assert r.status_code == 400 and "n'est pas associée à votre compte" in text(r)
    db.session.expire_all()
    assert _code_hashes() == before


def test_an_account_without_second_factor_has_no_codes_to_renew(client, ctx):
    user = factories.holder("sam@example.org")
    login(client, user.email)
    assert client.get(RENEW).location.endswith("/compte/securite")
    r = submit(client, RENEW_KEY, {"credential": "{}"}, form_url="/compte/securite")
    assert r.status_code == 302 and r.location.endswith("/compte/securite")
