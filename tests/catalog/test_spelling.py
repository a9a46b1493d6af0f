"""Search forgives typos: the words of the names on sale, and "did you mean"."""

import re

import pytest
from sqlalchemy import select

from jomso.catalog.models import SearchWord
from jomso.catalog.spelling import edit_distance, suggest
from jomso.extensions import db
from tests.catalog.admin_helpers import create_product, product_form, submit
from tests.catalog.helpers import make_category, make_product, update_product
from tests.staff.helpers import staff_client


def _notice(page: str) -> str:
    """The spelling notice's text (links as their words), or ""."""
    found = re.search(r'<p class="notice spelling"[^>]*>(.*?)</p>', page, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else ""


def _links(page: str) -> list[str]:
    found = re.search(r'<p class="notice spelling"[^>]*>(.*?)</p>', page, re.S)
    return re.findall(r'href="([^"]+)"', found.group(1)) if found else []


def names_on(page: str) -> set[str]:
    return set(re.findall(r'<span class="name">([^<]+)</span>', page))


def _words(app) -> dict[str, int]:
    with app.app_context():
        return dict(db.session.execute(select(SearchWord.word, SearchWord.products)).all())


@pytest.fixture
def shop(client):
    app = client.application
    make_category(app, "Lighting")
    make_product(app, "Desk Lamp", category_id=1, description="A lamp for the desk.")
    make_product(app, "Floor Lamp", category_id=1, description="Tall.")
    make_product(app, "Stoneware Mug", description="Glazed by hand.")
    make_product(app, "Enamel Mug", description="Camp coffee.")
    make_product(app, "Hidden Lantern", description="Not yet.", is_active=False)
    return client


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("lmap", "lamp", 1), ("stonewre", "stoneware", 1), ("lamp", "lamp", 0),
     ("kamp", "lamp", 1), ("lampshade", "lamp", 3), ("xqzvbnk", "lamp", 3)],
)  # fmt: skip
def test_edit_distance_counts_a_swap_as_one_edit(a, b, distance):
    assert edit_distance(a, b, 2) == min(distance, 3)


def test_lmap_finds_lamps(shop):
    page = shop.get("/products?q=lmap").text
    assert _notice(page) == "Showing results for lamp. Search instead for lmap"
    assert names_on(page) == {"Desk Lamp", "Floor Lamp"}
    assert "<h1>Results for “lamp”</h1>" in page
    corrected, as_typed = _links(page)
    assert corrected == "/products?q=lamp"
    # "search instead" searches as typed: nothing, and nothing corrected
    instead = shop.get(as_typed.replace("&amp;", "&")).text
    assert "Nothing matches “lmap”" in instead and _notice(instead) == ""
    assert names_on(instead) == set()


def test_a_misspelt_word_among_others_is_corrected(shop):
    page = shop.get("/products?q=stonewre+mug").text
    assert _notice(page) == "Showing results for stoneware mug. Search instead for stonewre mug"
    assert names_on(page) == {"Stoneware Mug"}
    with shop.application.app_context():
        assert suggest(db.session, "Stonewre MUG").query == "stoneware mug"


def test_the_correction_keeps_the_category_and_the_sort(shop):
    page = shop.get("/products?q=lmap&category=lighting&sort=price_asc").text
    assert names_on(page) == {"Desk Lamp", "Floor Lamp"}
    assert _links(page)[0] == "/products?q=lamp&amp;category=lighting&amp;sort=price_asc"


@pytest.mark.parametrize("typed", ["lamp", "lamps", "Stoneware", "mug", "stonew", "desk lamp"])
def test_a_correct_word_is_never_corrected(shop, typed):
    page = shop.get("/products", query_string={"q": typed}).text
    assert _notice(page) == ""
    assert names_on(page)
    with shop.application.app_context():
        assert suggest(db.session, typed) is None


def test_a_word_of_the_names_is_not_corrected_to_a_commoner_one(client):
    app = client.application
    for number in range(12):
        make_product(app, f"Lamp {number}", sku=f"L{number}", description="Light.")
    make_product(app, "Lamb Throw", description="Soft.")
    page = client.get("/products?q=lamb").text
    assert names_on(page) == {"Lamb Throw"} and _notice(page) == ""


def test_a_nonsense_word_gets_no_suggestion(shop):
    page = shop.get("/products?q=xqzvbnk").text
    assert "Nothing matches “xqzvbnk”" in page and _notice(page) == ""
    with shop.application.app_context():
        assert suggest(db.session, "xqzvbnk") is None
        assert suggest(db.session, "mgu") is None  # too short to correct


def test_a_few_results_offer_a_search_that_finds_far_more(client):
    app = client.application
    for number in range(10):
        make_product(app, f"Lamp {number}", sku=f"L{number}", description="Light.")
    make_product(app, "Brass Hook", description="Goes with any lmap.")
    page = client.get("/products?q=lmap").text
    assert names_on(page) == {"Brass Hook"}  # what it found, as typed
    assert _notice(page) == "Did you mean: lamp?"
    assert _links(page) == ["/products?q=lamp"]
    update_product(app, 11, description="Goes with any lmap, or a lmap.")
    make_product(app, "Iron Hook", description="Goes with a lmap too.")
    # two found, but lamp is in ten: not ten times as many
    assert _notice(client.get("/products?q=lmap").text) == ""


def test_inactive_products_words_are_not_suggested(shop):
    app = shop.application
    assert "lantern" not in _words(app) and "hidden" not in _words(app)
    assert _notice(shop.get("/products?q=lantren").text) == ""
    update_product(app, 5, is_active=True)
    assert _words(app)["lantern"] == 1
    page = shop.get("/products?q=lantren").text
    assert _notice(page) == "Showing results for lantern. Search instead for lantren"
    update_product(app, 5, is_active=False)
    assert "lantern" not in _words(app)


def test_the_vocabulary_follows_renames_and_deletions(shop):
    app = shop.application
    assert _words(app) == {"desk": 1, "lamp": 2, "floor": 1, "stoneware": 1, "mug": 2,
                           "enamel": 1}  # fmt: skip
    update_product(app, 1, name="Desk Light")
    update_product(app, 2, name="Floor Light", price_cents=999)
    assert "lamp" not in _words(app) and _words(app)["light"] == 2
    assert _notice(shop.get("/products?q=lmap").text) == ""
    assert "Showing results for light." in _notice(shop.get("/products?q=ligth").text)
    update_product(app, 3, price_cents=100, stock=1, description="A lamp.")  # not its name
    assert _words(app)["stoneware"] == 1
    with app.app_context():
        from jomso.catalog.models import Product

        db.session.delete(db.session.get(Product, 4))
        db.session.commit()
    assert "enamel" not in _words(app) and _words(app)["mug"] == 1


def test_the_staff_form_keeps_the_vocabulary(app):
    """Creating and renaming through the back office (the catalog service) moves the words."""
    catalog = staff_client(app, "catalog")
    product_id = create_product(catalog, name="Walnut Serving Board")
    assert _words(app) == {"walnut": 1, "serving": 1, "board": 1}
    response = submit(catalog, f"/staff/products/{product_id}", product_form(name="Oak Board"))
    assert response.status_code == 302
    assert _words(app) == {"oak": 1, "board": 1}
    shopper = app.test_client()
    assert "Showing results for board." in _notice(shopper.get("/products?q=baord").text)
