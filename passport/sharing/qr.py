"""QR codes of share links, drawn on the server as SVG with segno (no script, no request out).

``qr_data_uri(url)`` suits an ``<img src>`` (the CSP allows ``data:`` images);
``qr_svg(url, title)`` gives inline SVG markup with a ``<title>`` for screen readers.
"""

from __future__ import annotations

import io

import segno

#: Error correction "M" (15 %) survives a phone photo of a printed page.
ERROR = "m"
#: Pixels per module of the holder's QR code: a link (version 6 to 8, 41 to 49 modules and a
#: quiet zone of 4 on each side) draws 245 to 285 px wide, which a desk scanner reads from a
#: phone screen; the CSS keeps it within the screen, and 6 cm wide on paper.
QR_SCALE = 5


def _code(url: str) -> segno.QRCode:
    return segno.make(url, error=ERROR, micro=False)


def qr_size(url: str, *, scale: int = 5) -> int:
    """The width (and height) in pixels of ``qr_data_uri(url, scale=scale)``."""
    return int(_code(url).symbol_size(scale=scale, border=4)[0])


def qr_data_uri(url: str, *, scale: int = 5) -> str:
    """An SVG QR code of ``url`` as a ``data:image/svg+xml`` URI, black on white."""
    return _code(url).svg_data_uri(scale=scale, border=4, dark="#000", light="#fff")


def qr_svg(url: str, *, title: str | None = None, scale: int = 5) -> str:
    """Inline SVG markup of a QR code of ``url`` (no XML declaration, escaped title)."""
    buffer = io.BytesIO()
    _code(url).save(
        buffer,
        kind="svg",
        scale=scale,
        border=4,
        dark="#000",
        light="#fff",
        xmldecl=False,
        svgns=True,
        title=title,
        svgclass="qr__code",
        lineclass=None,
        omitsize=True,
    )
    return buffer.getvalue().decode()
