"""Share tokens never reach a log line: werkzeug's, gunicorn's, the app's."""

from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.request

import pytest
from gunicorn.glogging import SafeAtoms
from werkzeug.serving import make_server

from passport.sharing import logfilter
from tests.sharing_web.helpers import create_share

TOKEN = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWc"


def test_redact():
    assert logfilter.redact(f'"GET /s/{TOKEN} HTTP/1.1" 302') == '"GET /s/[masqué] HTTP/1.1" 302'
    assert logfilter.redact(f"/api/v1/shared/{TOKEN}/receptions") == (
        "/api/v1/shared/[masqué]/receptions"
    )
    assert logfilter.redact(f"/connexion?next=/s/{TOKEN}") == "/connexion?next=/s/[masqué]"
    assert logfilter.redact("GET /s/reprendre HTTP/1.1") == "GET /s/reprendre HTTP/1.1"
    assert logfilter.redact("GET /passeport/ HTTP/1.1") == "GET /passeport/ HTTP/1.1"


def test_werkzeug_records_are_redacted(app, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    logging.getLogger("werkzeug").info(
        '%s - - [%s] "%s" %s %s', "127.0.0.1", "20/May/2026", f"GET /s/{TOKEN} HTTP/1.1", 302, "-"
    )
    assert TOKEN not in caplog.text
    assert "/s/[masqué]" in caplog.text


def test_gunicorn_access_records_are_redacted(app, caplog):
    caplog.set_level(logging.INFO, logger="gunicorn.access")
    atoms = SafeAtoms(
        {
            "h": "10.0.0.1",
            "r": f"GET /s/{TOKEN} HTTP/1.1",
            "U": f"/s/{TOKEN}",
            "s": "302",
            "f": f"https://passeport.example/s/{TOKEN}",
        }
    )
    logging.getLogger("gunicorn.access").info(
        '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s %({x-real-ip}i)s', atoms
    )
    assert TOKEN not in caplog.text
    assert caplog.text.count("/s/[masqué]") == 3
    assert caplog.records[-1].getMessage().endswith(" -")  # SafeAtoms still answers "-"


def test_the_filter_is_installed_once(app):
    from config import TestingConfig
    from passport import create_app

    create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    filters = [
        f
        for f in logging.getLogger("werkzeug").filters
        if isinstance(f, logfilter.ShareTokenFilter)
    ]
    assert len(filters) == 1


def test_a_real_request_line_is_redacted(app, client, holder, network, caplog):
    """The development server logs the request of a real link without its token."""
    _share_id, token = create_share(client)
    caplog.set_level(logging.INFO, logger="werkzeug")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        opener = urllib.request.build_opener(_NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as raised:  # the 302 to the login page
            opener.open(f"http://127.0.0.1:{server.server_port}/s/{token}", timeout=10)
        assert raised.value.code == 302
        assert raised.value.headers["Referrer-Policy"] == "no-referrer"
        raised.value.close()
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("GET /s/[masqué]" in line for line in lines), lines
    assert token not in caplog.text


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
