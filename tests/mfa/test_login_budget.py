"""Failed logins: one budget per account for the web and the API, and device cookies that
let the owner's browser in while an attacker elsewhere has spent that budget (OWASP)."""

from __future__ import annotations

from tests import factories
from tests.mfa.helpers import code_at, password_step
from tests.web import login, submit

WRONG = "not the password at all"


def fail_web(client, email: str, times: int = 10) -> None:
    for _ in range(times):
        assert password_step(client, email, WRONG).status_code == 401


def fail_api(client, email: str, times: int = 10) -> None:
    for _ in range(times):
        r = client.post("/api/v1/auth/token", json={"email": email, "password": WRONG})
        assert r.status_code == 401


def test_owner_browser_that_logged_in_before_keeps_access_during_an_attack(app, ctx):
    factories.holder("lea@example.org")
    owner = app.test_client()
    login(owner, "lea@example.org")
    submit(owner, "/deconnexion", {}, form_url="/passeport/")

    attacker = app.test_client()
    fail_web(attacker, "lea@example.org")
    assert password_step(attacker, "lea@example.org").status_code == 429  # locked for strangers
    r = password_step(owner, "lea@example.org")
    assert r.status_code == 302 and r.location.endswith("/passeport/")


def test_owner_browser_can_still_mistype_during_an_attack(app, ctx):
    factories.holder("lea@example.org")
    owner = app.test_client()
    login(owner, "lea@example.org")
    submit(owner, "/deconnexion", {}, form_url="/passeport/")
    fail_web(app.test_client(), "lea@example.org")
    assert password_step(owner, "lea@example.org", WRONG).status_code == 401
    assert password_step(owner, "lea@example.org").status_code == 302


def test_a_trusted_browser_has_a_budget_of_its_own(app, ctx):
    factories.holder("lea@example.org")
    owner = app.test_client()
    login(owner, "lea@example.org")
    submit(owner, "/deconnexion", {}, form_url="/passeport/")
    fail_web(owner, "lea@example.org")
    assert password_step(owner, "lea@example.org").status_code == 429
    # ...and spending it does not lock the account for others.
    assert password_step(app.test_client(), "lea@example.org").status_code == 302


def test_api_and_web_failures_share_one_budget(app, ctx):
    factories.holder("lea@example.org")
    fail_api(app.test_client(), "lea@example.org", 6)
    fail_web(app.test_client(), "lea@example.org", 4)
    assert password_step(app.test_client(), "lea@example.org").status_code == 429
    r = app.test_client().post(
        "/api/v1/auth/token", json={"email": "lea@example.org", "password": factories.PASSWORD}
    )
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0


def test_web_failures_lock_the_api_for_strangers(app, ctx):
    factories.holder("lea@example.org")
    fail_web(app.test_client(), "lea@example.org")
    r = app.test_client().post(
        "/api/v1/auth/token", json={"email": "lea@example.org", "password": factories.PASSWORD}
    )
    assert r.status_code == 429


def test_a_forged_or_foreign_device_cookie_is_not_trusted(app, ctx):
    factories.holder("lea@example.org")
    factories.holder("max@example.org")
    max_browser = app.test_client()
    login(max_browser, "max@example.org")  # trusted for max, not for lea
    submit(max_browser, "/deconnexion", {}, form_url="/passeport/")
    fail_web(app.test_client(), "lea@example.org")
    assert password_step(max_browser, "lea@example.org").status_code == 429
    forged = app.test_client()
    forged.set_cookie("passport_devices", "W1siYWJjIiwiZGVmIl1d.forged", path="/connexion")
    assert password_step(forged, "lea@example.org").status_code == 429


def test_the_budget_comes_back_after_a_minute(app, ctx, clock):
    factories.holder("lea@example.org")
    fail_web(app.test_client(), "lea@example.org")
    assert password_step(app.test_client(), "lea@example.org").status_code == 429
    clock.to(3)  # 90 seconds later
    assert password_step(app.test_client(), "lea@example.org").status_code == 302


def test_wrong_second_factor_codes_spend_the_budget(app, ctx, clock):
    from passport.extensions import db
    from passport.mfa import services as mfa

    user = factories.holder("lea@example.org")
    secret, _ = mfa.start_totp(user)
    mfa.confirm_totp(user, code_at(secret, 0))
    db.session.commit()
    for _ in range(2):  # five wrong codes per password, twice
        browser = app.test_client()
        assert password_step(browser, "lea@example.org").status_code == 302
        for _ in range(5):
            r = submit(browser, "/connexion/verification", {"code": "000000"})
            assert r.status_code in (302, 401)
    assert password_step(app.test_client(), "lea@example.org").status_code == 429
