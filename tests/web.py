"""Helpers for driving the HTML site with CSRF on, as a browser would."""

from __future__ import annotations

import re

from tests.factories import PASSWORD

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(client, url: str) -> str:
    page = client.get(url)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def submit(client, url: str, data: dict, form_url: str | None = None, **kwargs):
    """GET the form page for its CSRF token, then POST ``data`` to ``url``."""
    token = csrf_from(client, form_url or url)
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def login(client, email: str, password: str = PASSWORD):
    r = submit(client, "/connexion", {"email": email, "password": password})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return r
