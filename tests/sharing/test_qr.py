"""QR codes of share links."""

from __future__ import annotations

import base64
import re
from urllib.parse import unquote

from passport.sharing.qr import qr_data_uri, qr_size, qr_svg

URL = "https://passeport.example.org/s/" + "A" * 43 + "." + "B" * 43


def test_svg_is_inline_markup_with_an_escaped_title():
    svg = qr_svg(URL, title='Lien <de> "partage"')
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "<?xml" not in svg and "<script" not in svg
    assert '<title>Lien &lt;de&gt; "partage"</title>' in svg
    assert 'class="qr__code"' in svg


def test_data_uri_is_an_svg_image():
    uri = qr_data_uri(URL)
    assert uri.startswith("data:image/svg+xml")
    payload = uri.split(",", 1)[1]
    text = (
        base64.b64decode(payload).decode()
        if ";base64" in uri.split(",", 1)[0]
        else unquote(payload)
    )
    assert re.search(r"<svg[^>]*>", text)


def test_longer_urls_give_bigger_codes():
    assert len(qr_svg(URL)) < len(qr_svg(URL + "?" + "x" * 300))


def test_qr_size_is_the_drawn_size():
    size = qr_size(URL, scale=5)
    assert size % 5 == 0 and size >= 245  # version 6 or more, 4 modules of quiet zone
    payload = unquote(qr_data_uri(URL, scale=5).split(",", 1)[1])
    assert re.search(rf"<svg[^>]*width=['\"]{size}['\"]", payload)
