"""Helpers for driving the HTML site with CSRF on, as a browser would."""

from __future__ import annotations

import re

from tests.factories import PASSWORD

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_ONCE = re.compile(r'name="form_once" value="([^"]+)"')


def csrf_from(client, url: str) -> str:
    page = client.get(url)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def submit(client, url: str, data: dict, form_url: str | None = None, **kwargs):
    """GET the form page for its hidden fields (CSRF token, one-time value), then POST
    ``data`` to ``url``, as a browser would."""
    page = client.get(form_url or url).get_data(as_text=True)
    match = _CSRF.search(page)
    assert match, f"no CSRF token on {form_url or url}"
    hidden = {"csrf_token": match.group(1)}
    once = _ONCE.search(page)
    if once:
        hidden["form_once"] = once.group(1)
    return client.post(url, data={**hidden, **data}, **kwargs)


def login(client, email: str, password: str = PASSWORD):
    r = submit(client, "/connexion", {"email": email, "password": password})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return r
