"""Product pictures shown whole: uploads keep their aspect ratio in every stored size; the
gallery's thumbnails link to ``?picture=N`` (no JavaScript needed), mark the current one, and
the main picture links to its largest stored size."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from jomso.catalog.images import THUMBNAIL_SIZES, image_path
from jomso.catalog.models import Product
from jomso.extensions import db
from tests.catalog.admin_helpers import create_product, image_bytes, picture_rows, upload
from tests.catalog.helpers import make_product
from tests.staff.helpers import staff_client

STATIC = Path(__file__).parents[2] / "static"


def _main_picture(html: str) -> tuple[str, str]:
    """The main picture's src and the large-view link's href."""
    link = re.search(r'<a class="picture-frame" id="main-picture-link" href="([^"]+)">', html)
    image = re.search(r'<img id="main-picture" src="([^"]+)"', html)
    assert link and image, "no main picture on the page"
    return image.group(1), link.group(1)


def _thumbnails(html: str) -> list[tuple[str, bool]]:
    """Each thumbnail link's href and whether it is marked as the current one."""
    thumbs = html.split('<ul class="thumbs"', 1)[1].split("</ul>", 1)[0]
    return [
        (href.replace("&amp;", "&"), 'aria-current="true"' in rest)
        for href, rest in re.findall(r'<li><a href="([^"]+)"([^>]*)>', thumbs)
    ]


def test_a_wide_upload_keeps_its_aspect_ratio_in_every_size(app):
    catalog = staff_client(app, "catalog")
    product_id = create_product(catalog)
    response = upload(catalog, product_id, image_bytes("PNG", size=(1200, 400)), "wide.png")
    assert response.status_code == 302
    ((_id, key, _position, _alt),) = picture_rows(app, product_id)
    with app.app_context():
        for size in THUMBNAIL_SIZES:
            with Image.open(image_path(key, size)) as stored:
                assert stored.format == "WEBP"
                assert max(stored.size) == size  # fits the size box, not cropped to it
                assert stored.width / stored.height == pytest.approx(3, rel=0.02), size
    # The shop shows it whole: "contain" in the square boxes, never "cover".
    for sheet in ("shop.css", "staff.css"):
        assert "object-fit: cover" not in (STATIC / "css" / sheet).read_text(encoding="utf-8")


@pytest.fixture
def three_pictures(app):
    make_product(app, "Oak Stool", images=3)
    return app


def _keys(app) -> list[str]:
    with app.app_context():
        product = db.session.query(Product).filter_by(slug="oak-stool").one()
        return [image.key for image in product.images]


def test_the_first_picture_leads_and_its_thumbnail_is_current(three_pictures, client):
    keys = _keys(three_pictures)
    html = client.get("/products/oak-stool").text
    assert _main_picture(html) == (f"/images/{keys[0]}-800.webp",) * 2
    assert _thumbnails(html) == [
        ("/products/oak-stool", True),
        ("/products/oak-stool?picture=2", False),
        ("/products/oak-stool?picture=3", False),
    ]


def test_a_thumbnail_link_shows_that_picture_without_javascript(three_pictures, client):
    keys = _keys(three_pictures)
    html = client.get("/products/oak-stool").text
    second = _thumbnails(html)[1][0]
    html = client.get(second).text
    src, large = _main_picture(html)
    assert src == f"/images/{keys[1]}-800.webp"
    assert [current for _href, current in _thumbnails(html)] == [False, True, False]
    # The large view is the largest stored size of that picture, served as an image.
    assert large == f"/images/{keys[1]}-{max(THUMBNAIL_SIZES)}.webp"
    response = client.get(large)
    response.close()
    assert response.status_code == 200 and response.mimetype == "image/webp"


@pytest.mark.parametrize("picture", ["0", "4", "-1", "two", ""])
def test_a_picture_number_out_of_range_shows_the_first(three_pictures, client, picture):
    keys = _keys(three_pictures)
    response = client.get(f"/products/oak-stool?picture={picture}")
    assert response.status_code == 200
    assert _main_picture(response.text)[0] == f"/images/{keys[0]}-800.webp"
    assert [current for _href, current in _thumbnails(response.text)] == [True, False, False]


def test_one_picture_has_no_thumbnails_and_none_shows_the_placeholder(app, client):
    make_product(app, "Lone Cup", images=1)
    make_product(app, "Bare Cup", images=0)
    html = client.get("/products/lone-cup").text
    assert 'id="main-picture"' in html and 'class="thumbs"' not in html
    html = client.get("/products/bare-cup").text
    assert 'id="main-picture"' not in html and "product-placeholder.svg" in html
