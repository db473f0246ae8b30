"""Helpers of the sharing and workspace page tests: a share made through the holder's pages,
an advisor who opens it through /s/<token>."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from passport.extensions import db
from passport.sharing.models import ShareLink
from tests.factories import PASSWORD
from tests.web import csrf_from, submit

SHARE_URL = re.compile(r'id="share-url"[^>]*value="([^"]+)"')
#: The full share form ("personnalisé"); ``/partages/nouveau`` itself asks for the purpose.
CUSTOM_FORM = "/partages/nouveau?objet=personnalise"

DEFAULT_SHARE = {
    "sections": ["profile", "receptions", "referrals", "trainings"],
    "permissions": "both",
    "structure": "",
    "expires_in_days": "30",
    "passcode": "",
    "label": "",
}


def create_share(client, **overrides) -> tuple[int, str]:
    """Create a share through the form; returns ``(share_id, token)`` read from the page."""
    data = {**DEFAULT_SHARE, **overrides}
    if not data.get("single_use"):
        data.pop("single_use", None)
    r = submit(client, "/partages/nouveau", data, form_url=CUSTOM_FORM)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    location = urlsplit(r.headers["Location"]).path
    share_id = int(location.split("/")[2])
    page = client.get(location)
    assert page.status_code == 200
    url = html.unescape(SHARE_URL.search(page.get_data(as_text=True)).group(1))
    return share_id, url.rsplit("/s/", 1)[1]


def login_to(client, email: str, next_url: str):
    """Log in through the form with a ``next`` target, as the login page would."""
    token = csrf_from(client, f"/connexion?next={next_url}")
    return client.post(
        "/connexion",
        data={"csrf_token": token, "email": email, "password": PASSWORD, "next": next_url},
    )


def open_link(client, token: str, passcode: str | None = None, confirm: bool = False):
    """An advisor (already logged in) opens a link; returns the last response."""
    r = client.get(f"/s/{token}")
    if r.status_code != 302:
        return r
    assert urlsplit(r.headers["Location"]).path == "/s/reprendre"
    r = client.get("/s/reprendre")
    if r.status_code != 200 or not (passcode is not None or confirm):
        return r
    data = {"passcode": passcode} if passcode is not None else {}
    return submit(client, "/s/reprendre", data)


def text(response) -> str:
    """The page's HTML with entities decoded (apostrophes may come escaped or not)."""
    return html.unescape(response.get_data(as_text=True))


def share_row(share_id: int) -> ShareLink:
    db.session.expire_all()
    return db.session.get(ShareLink, share_id)


def assert_private(response) -> None:
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response.headers["Cache-Control"]


def assert_inputs_labelled(page: str) -> None:
    """Every visible input, select and textarea of the page has a ``<label for>``."""
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", page):
        if 'type="hidden"' in tag:
            continue
        match = re.search(r'\bid="([^"]+)"', tag)
        assert match, f"no id on {tag}"
        assert f'for="{match.group(1)}"' in page, f"no label for {tag}"
