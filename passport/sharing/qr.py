"""QR codes of share links, drawn on the server as SVG with segno (no script, no request out).

``qr_data_uri(url)`` suits an ``<img src>`` (the CSP allows ``data:`` images);
``qr_svg(url, title)`` gives inline SVG markup with a ``<title>`` for screen readers.
"""

from __future__ import annotations

import io

import segno

#: Error correction "M" (15 %) survives a phone photo of a printed page.
ERROR = "m"


def _code(url: str) -> segno.QRCode:
    return segno.make(url, error=ERROR, micro=False)


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
