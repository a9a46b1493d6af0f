"""The product gallery in a real browser: a thumbnail swaps the main picture in place (the page
does not move), the current thumbnail is marked, and without JavaScript the thumbnail links
still switch the picture; wide and tall pictures are shown whole, on the product page and in
the home page's hero."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from jomso.catalog.demo_pictures import COLOURS, draw_picture
from jomso.catalog.images import save_product_image
from jomso.catalog.models import Product
from jomso.extensions import db
from tests.browser.conftest import screenshot
from tests.catalog.helpers import make_category, make_product


def _cut(shape: str, colour: int, box: tuple[int, int, int, int], size: int) -> bytes:
    """A demo drawing cut to a wide or tall picture, as a photo of that shape would be."""
    picture = Image.open(io.BytesIO(draw_picture(shape, COLOURS[colour][1], size=size)))
    buffer = io.BytesIO()
    picture.crop(box).save(buffer, "PNG")
    return buffer.getvalue()


WIDE = ("textile", 2, (0, 400, 1200, 800), 1200)  # 1200 x 400
TALL = ("vase", 5, (200, 0, 600, 800), 800)  # 400 x 800


def _add_picture(app, product_id: int, data: bytes) -> None:
    with app.app_context():
        save_product_image(db.session.get(Product, product_id), data, alt="")
        db.session.commit()


@pytest.fixture
def shop(app):
    living = make_category(app, "Living")
    kitchen = make_category(app, "Kitchen", position=1)
    garden = make_category(app, "Garden", position=2)
    runner = make_product(app, "Linen Runner", category_id=living, age_days=1, sku="LIV-1")
    _add_picture(app, runner, _cut(*WIDE))
    make_product(app, "Stoneware Mug", category_id=kitchen, age_days=2, images=1, shape="mug")
    vase = make_product(app, "Clay Vase", category_id=garden, age_days=3, sku="GAR-1")
    _add_picture(app, vase, _cut(*TALL))
    description = "A **sturdy** stool.\n\n" + "Oak. " * 80
    stool = make_product(app, "Oak Stool", category_id=living, age_days=4, images=1,
                         shape="lamp", description=description)  # fmt: skip
    _add_picture(app, stool, _cut(*WIDE))
    _add_picture(app, stool, _cut(*TALL))
    return app


def _state(page) -> tuple[str, list[str | None], float]:
    src = page.locator("#main-picture").get_attribute("src")
    marks = [page.locator(".thumbs a").nth(i).get_attribute("aria-current") for i in range(3)]
    return src, marks, page.evaluate("window.scrollY")


def test_a_thumbnail_swaps_the_picture_in_place(shop, browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 700})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/products/oak-stool")
        second = page.get_by_role("link", name="Picture 2")
        second.scroll_into_view_if_needed()  # as a visitor scrolls to the thumbnails
        first_src, marks, before = _state(page)
        assert marks == ["true", None, None] and before > 0
        urls = []
        page.on("request", lambda request: urls.append(request.url))
        second.click()
        # A function, not an expression: an expression still false at the first check is polled with
        # eval, which the shop's Content-Security-Policy refuses.
        page.wait_for_function("() => document.getElementById('main-picture').complete")
        src, marks, scrolled = _state(page)
        assert src != first_src
        assert marks == [None, "true", None]
        assert scrolled == before  # the page did not jump
        assert not [url for url in urls if "/products/" in url]  # and did not reload
        assert page.url.endswith("/products/oak-stool?picture=2")
        assert page.locator("#main-picture-link").get_attribute("href") == src
        page.evaluate("window.scrollTo(0, 0)")
        screenshot(page, "gallery-wide-desktop")

        # The large view: the largest stored size of the picture shown.
        page.locator("#main-picture-link").click()
        assert page.url.endswith(src)
        page.go_back()
    finally:
        context.close()


def test_without_javascript_the_thumbnail_links_switch_the_picture(shop, browser, live_server):
    context = browser.new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/products/oak-stool")
        first_src, marks, _ = _state(page)
        assert marks == ["true", None, None]
        page.get_by_role("link", name="Picture 3").click()
        page.wait_for_url("**/products/oak-stool?picture=3")
        src, marks, _ = _state(page)
        assert src != first_src
        assert marks == [None, None, "true"]
        # The picture and the thumbnails are on the first screen of a phone after the reload.
        assert page.locator("#main-picture").bounding_box()["y"] < 844
        assert page.locator(".thumbs a").nth(2).bounding_box()["y"] < 844
        screenshot(page, "gallery-tall-phone-nojs")
    finally:
        context.close()


def test_screenshots_of_pictures_shown_whole(shop, browser, live_server):
    for width, height in ((1280, 900), (390, 844)):
        viewport = {"width": width, "height": height}
        context = browser.new_context(base_url=live_server, viewport=viewport)
        page = context.new_page()
        page.set_default_timeout(10_000)
        try:
            for name, url in (("home", "/"), ("product", "/products/oak-stool?picture=2"),
                              ("product-tall", "/products/clay-vase")):  # fmt: skip
                page.goto(url)
                page.wait_for_load_state("networkidle")
                fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
                assert fits, (url, width)
                screenshot(page, f"pictures-{name}-{width}")
        finally:
            context.close()
