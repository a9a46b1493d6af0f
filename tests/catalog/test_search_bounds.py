"""Search costs are bounded: short words are not prefixes, a search lists at most
``SEARCH_MAX_RESULTS`` candidates (the newest matches), counts no further and says so, and
ranks by bm25 only when no word alone matches more than that."""

import re

import pytest
from sqlalchemy.dialects import postgresql

from jomso.catalog import queries
from jomso.catalog.search import fts_query
from tests.catalog.helpers import make_category, make_product, make_products, names_on, text_of
from tests.helpers import counting_statements

HINT = "Many products match"


@pytest.fixture
def capped(app):
    """A shop whose searches list at most 5 products, 2 a page; no page cache, so that a page
    asked for again with other settings is made again."""
    app.config["SEARCH_MAX_RESULTS"] = 5
    app.config["PRODUCTS_PER_PAGE"] = 2
    app.config["PAGE_CACHE_ENABLED"] = False
    return app


def test_a_word_shorter_than_three_letters_is_not_a_prefix(client):
    assert fts_query("blue st") == '"blue" "st"'
    assert fts_query("xl") == '"xl"'
    assert fts_query("sto") == '"sto"*'
    make_product(client.application, "Stoneware Mug")
    make_product(client.application, "XL Apron")
    assert names_on(client.get("/products?q=st").text) == []
    assert names_on(client.get("/products?q=sto").text) == ["Stoneware Mug"]
    assert names_on(client.get("/products?q=xl").text) == ["XL Apron"]


def test_a_one_letter_search_lists_the_newest_matches_and_asks_to_refine(capped, client):
    make_products(capped, 8, images=0)  # "Item 1" ... "Item 8", all described "A mug."
    page = client.get("/products?q=a")
    assert page.status_code == 200
    shown = text_of(page.text)
    assert "More than 5 products" in shown
    assert f"{HINT} “a”. These are the 5 most recently added of them" in shown
    assert names_on(page.text) == ["Item 8", "Item 7"]
    assert 'href="/products?q=a&amp;page=3"' in page.text  # 5 candidates, 2 a page
    assert "page=4" not in page.text


def test_a_page_past_the_cap_shows_the_last_page_of_candidates(capped, client):
    make_products(capped, 8, images=0)
    page = client.get("/products?q=item&page=40")
    assert page.status_code == 200
    assert names_on(page.text) == ["Item 4"]  # the fifth newest, the last candidate
    assert "Page 3" in page.text
    assert 'rel="next"' not in page.text
    assert HINT in page.text


def test_every_sort_orders_the_same_candidates(capped, client):
    app = capped
    # the cheapest and the oldest are not among the 5 newest matches
    for number, price in enumerate([100, 200, 9000, 500, 700, 300, 800, 400], start=1):
        make_product(app, f"Lamp {number}", price_cents=price, age_days=10 - number)
    app.config["PRODUCTS_PER_PAGE"] = 24
    cheapest = names_on(client.get("/products?q=lamp&sort=price_asc").text)
    assert cheapest == ["Lamp 6", "Lamp 8", "Lamp 4", "Lamp 5", "Lamp 7"]
    dearest = names_on(client.get("/products?q=lamp&sort=price_desc").text)
    assert dearest == list(reversed(cheapest))
    assert names_on(client.get("/products?q=lamp&sort=newest").text) == [
        "Lamp 8", "Lamp 7", "Lamp 6", "Lamp 5", "Lamp 4"
    ]  # fmt: skip
    page = client.get("/products?q=lamp&sort=name")
    assert names_on(page.text) == ["Lamp 4", "Lamp 5", "Lamp 6", "Lamp 7", "Lamp 8"]
    assert "More than 5 products" in text_of(page.text)
    assert HINT in page.text


def test_above_the_cap_names_with_the_words_come_first(capped, client):
    app = capped
    app.config["PRODUCTS_PER_PAGE"] = 24
    make_product(app, "Brass Lamp")  # the oldest match: not a candidate
    make_product(app, "Towel", description="Dries the lamp.")
    make_product(app, "Lamp Shade")
    make_product(app, "Vase", description="Beside a lamp.")
    make_product(app, "Desk Lamp")
    make_product(app, "Mirror", description="Lamp light.")
    ranked = names_on(client.get("/products?q=lamp").text)
    assert ranked == ["Desk Lamp", "Lamp Shade", "Mirror", "Vase", "Towel"]


def test_a_stop_word_alone_above_the_cap_lists_names_holding_it_first(capped, client):
    """ "the", in nearly every product of a shop: capped, and the best matches (the word in the
    name) first among the newest candidates, on both databases."""
    app = capped
    app.config["PRODUCTS_PER_PAGE"] = 24
    make_product(app, "The Old Lamp")  # the oldest match: past the cap, not a candidate
    make_product(app, "Towel", description="Dries the cups.")
    make_product(app, "The Blue Jug")
    make_product(app, "Vase", description="On the shelf.")
    make_product(app, "Mirror", description="Hangs on the wall.")
    make_product(app, "Bowl", description="For the table.")
    make_product(app, "The Lamp Shade")
    page = client.get("/products?q=the").text
    assert names_on(page) == ["The Lamp Shade", "The Blue Jug", "Bowl", "Mirror", "Vase"]
    assert HINT in page


def test_up_to_the_cap_nothing_changes(capped, client):
    app = capped
    app.config["PRODUCTS_PER_PAGE"] = 24
    make_product(app, "Garden Kneeler", description="Kind to knees. Not a lamp.", age_days=1)
    make_product(app, "Brass Lamp", description="A warm light.", age_days=50)
    make_product(app, "Lamp Shade Lamp", description="For any lamp base.", age_days=90)
    make_product(app, "Towel", description="Lamp, lamp.", age_days=2)
    make_product(app, "Desk Lamp", age_days=3)
    pages = {}
    for cap in (5, 1000):  # 5 matches: exactly the cap, or far below it
        app.config["SEARCH_MAX_RESULTS"] = cap
        pages[cap] = {
            sort: client.get("/products", query_string={"q": "lamp", "sort": sort}).text
            for sort in ("relevance", "price_asc", "newest", "name")
        }
    for sort, page in pages[5].items():
        assert names_on(page) == names_on(pages[1000][sort])
        assert len(names_on(page)) == 5
        assert "5 products" in text_of(page)
        assert "More than" not in page
        assert HINT not in page
    assert names_on(pages[5]["relevance"])[0] == "Lamp Shade Lamp"  # bm25: the name weighs most


@pytest.mark.sqlite_only(
    reason="FTS5's bm25 reads every match of every word in the catalog; PostgreSQL's ts_rank "
    "reads only the search's matches, at most the cap, so it ranks them whatever the words"
)
@pytest.mark.parametrize("typed", ["lamp light", "lamp ligh"])  # "ligh": as a prefix
def test_a_word_in_more_products_than_the_cap_is_not_ranked_by_bm25(capped, client, typed):
    app = capped
    app.config["PRODUCTS_PER_PAGE"] = 24
    for number in range(6):  # "light" alone matches more than the cap
        make_product(app, f"Filler {number}", description="Light.", age_days=200 + number)
    make_product(app, "Lamp Shade Lamp", description="For any lamp, any light.")
    make_product(app, "Brass Lamp", description="A warm light.")
    make_product(app, "Garden Kneeler", description="Not a lamp, no light.")
    page = client.get("/products", query_string={"q": typed})  # 3 matches: all listed
    assert "3 products" in text_of(page.text)
    assert HINT not in page.text
    # none has both words in its name: the most recently added first
    assert names_on(page.text) == ["Garden Kneeler", "Brass Lamp", "Lamp Shade Lamp"]
    app.config["SEARCH_MAX_RESULTS"] = 1000  # "light" is no longer common: bm25
    bm25 = client.get("/products", query_string={"q": typed})
    assert names_on(bm25.text)[0] == "Lamp Shade Lamp"


@pytest.mark.postgresql_only(reason="the PostgreSQL twin of the test above")
@pytest.mark.parametrize("typed", ["lamp light", "lamp ligh"])
def test_up_to_the_cap_postgresql_ranks_whatever_the_words(capped, client, typed):
    app = capped
    app.config["PRODUCTS_PER_PAGE"] = 24
    for number in range(6):  # "light" alone matches more than the cap
        make_product(app, f"Filler {number}", description="Light.", age_days=200 + number)
    make_product(app, "Lamp Shade Lamp", description="For any lamp, any light.")
    make_product(app, "Brass Lamp", description="A warm light.")
    make_product(app, "Garden Kneeler", description="Not a lamp, no light.")
    for cap in (5, 1000):
        app.config["SEARCH_MAX_RESULTS"] = cap
        page = client.get("/products", query_string={"q": typed})
        assert "3 products" in text_of(page.text)
        assert names_on(page.text) == ["Lamp Shade Lamp", "Brass Lamp", "Garden Kneeler"]


def test_a_capped_search_within_a_category(capped, client):
    app = capped
    kitchen = make_category(app, "Kitchen")
    make_products(app, 7, category_id=kitchen, images=0)
    make_products(app, 3, prefix="Other Item", images=0)  # newer, outside the category
    page = client.get("/products?q=item&category=kitchen")
    assert "More than 5 products in Kitchen" in text_of(page.text)
    assert names_on(page.text) == ["Item 7", "Item 6"]
    last = client.get("/products?q=item&category=kitchen&page=3")
    assert names_on(last.text) == ["Item 3"]
    narrow = client.get("/products?q=other&category=kitchen")
    assert names_on(narrow.text) == []


def test_a_broad_search_runs_as_many_statements_as_a_narrow_one(capped, client):
    app = capped
    make_products(app, 12, images=1)
    counts = {}
    for url in ["/products?q=item+3", "/products?q=item", "/products?q=a&sort=price_asc",
                "/products?q=item&page=99"]:  # fmt: skip
        client.get(url)
        with counting_statements(app) as statements:
            response = client.get(url)
        assert response.status_code == 200
        counts[url] = len(statements)
    narrow = counts.pop("/products?q=item+3")
    assert len(set(counts.values())) == 1, counts
    # a search that finds one or two also asks the word list for a "did you mean"
    assert narrow == counts["/products?q=item"] + 1
    with counting_statements(app) as statements:
        client.get("/products?q=item")
    catalog = [s for s in statements if re.search(r"\bproducts(_fts)?\b", s)]
    # the count and the rows (the header's category menu is kept per catalog revision)
    assert len(catalog) == 2


def test_the_postgresql_statements_follow_the_same_rules():
    """Compiled only (runs on both databases); tests run on PostgreSQL run them for real."""
    dialect = postgresql.dialect()
    first = str(queries._count_statement("postgresql", True, True).compile(dialect=dialect))
    assert "ORDER BY products.id DESC" in first
    assert "LIMIT %(candidate_limit)s" in first
    assert "products.search_document @@ to_tsquery('jomso_search', %(search)s)" in first
    for sort in ("relevance", "price_asc", "newest", "name"):
        for bm25 in (True, False):
            rows = queries._rows_statement("postgresql", sort, True, True, bm25)
            sql = str(rows.compile(dialect=dialect))
            assert "to_tsvector" not in sql  # the stored column, never the text again
            if sort == "relevance" and bm25:
                assert "ts_rank" in sql
            else:
                assert "json_array_elements_text(CAST(%(ids)s AS JSON))" in sql
                assert "ts_rank" not in sql
            if sort == "relevance" and not bm25:
                assert "to_tsquery('jomso_search', %(named)s)" in sql
