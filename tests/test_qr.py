"""QR codes decode, with an independent reader, to the public URL."""

import io

import zxingcpp
from PIL import Image

from muling_kiosk.qr import public_url, qr_png, qr_svg, qr_svg_inline


def test_png_decodes_to_the_public_url(app):
    with app.test_request_context():
        url = public_url("/m/s/abc123")
    assert url == "http://kiosk.test/m/s/abc123"
    image = Image.open(io.BytesIO(qr_png(url, box_size=8)))
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == [url]


def test_svg_is_compact_and_labelled(app):
    svg = qr_svg("http://kiosk.test/m/v/xyz")
    assert svg.startswith("<svg") or svg.startswith("<?xml")
    assert len(svg) < 20_000 and "<script" not in svg
    inline = str(qr_svg_inline("http://kiosk.test/x", 'scan "me" <now>'))
    assert 'role="img"' in inline and "&lt;now&gt;" in inline
