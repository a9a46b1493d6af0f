"""Product lists remember their count and deep pages' boundaries per catalog revision: deep
pages read after their boundary hold exactly what OFFSET would give, and a change to the
catalog is seen at once."""

from __future__ import annotations

import pytest

from jomso.catalog.queries import KEYSET_AFTER_PAGE, list_products
from tests.catalog.helpers import make_category, make_product, update_product
from tests.helpers import counting_statements

PER_PAGE = 2
SORTS = ("newest", "price_asc", "price_desc", "name")


@pytest.fixture
def shop(app):
    kitchen = make_category(app, "Kitchen")
    ids = []
    for i in range(1, 31):
        # Prices and names repeat, so the id settles ties; some in the kitchen, one inactive.
        ids.append(
            make_product(
                app, f"Mug {i}", price_cents=1000 + (i % 5) * 100, age_days=40 - i,
                category_id=kitchen if i % 3 else None, is_active=i != 17,
            )
        )  # fmt: skip
    for i, product_id in enumerate(ids, start=1):
        update_product(app, product_id, name=f"Mug {i % 7}")  # names repeat too
    return {"kitchen": kitchen, "ids": ids}


def _ids(app, **kwargs) -> tuple[list[int], int]:
    with app.app_context():
        page = list_products(per_page=PER_PAGE, **kwargs)
        return [row.id for row in page.items], page.total


def _every_page(app, **kwargs) -> list[int]:
    with app.app_context():
        first = list_products(per_page=PER_PAGE, **kwargs)
        pages = first.pages
    found = []
    for number in range(1, pages + 1):
        found += _ids(app, page=number, **kwargs)[0]
    return found


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("in_kitchen", [False, True])
def test_deep_pages_hold_what_the_whole_list_holds_in_order(app, shop, sort, in_kitchen):
    from jomso.catalog.models import Category
    from jomso.extensions import db

    with app.app_context():
        category = db.session.get(Category, shop["kitchen"]) if in_kitchen else None
        whole = list_products(sort=sort, category=category, per_page=100)
        expected = [row.id for row in whole.items]
        assert whole.pages == 1
        got = []
        for number in range(1, whole.total // PER_PAGE + 2):
            got += [r.id for r in list_products(sort=sort, category=category, page=number,
                                                per_page=PER_PAGE).items]  # fmt: skip
    assert len(expected) > KEYSET_AFTER_PAGE * PER_PAGE + PER_PAGE
    assert got == expected


def test_a_deep_page_is_read_after_its_boundary_without_offset(app, client, shop):
    app.config["PRODUCTS_PER_PAGE"] = PER_PAGE
    deep = KEYSET_AFTER_PAGE + 3
    assert client.get(f"/products?page={deep}").status_code == 200  # boundaries read once
    with counting_statements(app) as statements:
        response = client.get(f"/products?page={deep}&sort=newest")
    assert response.status_code == 200
    # Read after the boundary (SQLite's compiler writes "OFFSET 0" after any LIMIT).
    assert any("(products.created_at, products.id) <" in s for s in statements)
    assert not any("count(" in s.lower() for s in statements)
    expected = _every_page(app)[(deep - 1) * PER_PAGE : deep * PER_PAGE]
    with app.app_context():
        from jomso.catalog.models import Product
        from jomso.extensions import db

        names = [db.session.get(Product, pid).slug for pid in expected]
    for slug in names:
        assert f"/products/{slug}" in response.text


def test_the_count_is_read_once_per_catalog_revision(app, shop):
    with app.app_context():
        list_products(per_page=PER_PAGE)
        with counting_statements(app) as statements:
            again = list_products(per_page=PER_PAGE)
    assert again.total == 29
    assert not any("count(" in s.lower() for s in statements)


def test_counts_and_deep_pages_follow_a_change_to_the_catalog(app, shop):
    deep = KEYSET_AFTER_PAGE + 2
    before, total = _ids(app, page=deep)
    assert total == 29
    update_product(app, shop["ids"][0], is_active=False)  # the oldest goes: no shift
    assert _ids(app)[1] == 28
    newest = make_product(app, "Brand New Mug", age_days=0)  # a new first: everything shifts
    after, total = _ids(app, page=deep)
    assert total == 29
    assert after == [_every_page(app)[(deep - 1) * PER_PAGE], before[0]]
    assert _ids(app)[0][0] == newest
    with app.app_context():
        page = list_products(per_page=PER_PAGE, sort="price_asc", page=deep)
    assert [row.id for row in page.items] == _every_page(app, sort="price_asc")[
        (deep - 1) * PER_PAGE : deep * PER_PAGE
    ]


def test_counts_and_deep_pages_stay_right_after_sales(app, client, shop):
    """A sale that takes 1 of 10 keeps what the lists remember (no new count); one that sells a
    product out makes them again, and every page still holds what OFFSET would give."""
    from tests.orders.helpers import add_to_cart, checkout, order_number

    deep = KEYSET_AFTER_PAGE + 2
    before, total = _ids(app, page=deep)
    sold = before[0]

    def sell(quantity: int) -> None:
        customer = app.test_client()
        add_to_cart(customer, sold, quantity)
        order_number(checkout(customer))

    sell(1)  # 10 to 9: nothing a page shows
    with app.app_context(), counting_statements(app) as statements:
        list_products(per_page=PER_PAGE, page=deep)
    assert not any("count(" in s.lower() for s in statements)
    sell(9)  # the last ones: sold out
    after, total_after = _ids(app, page=deep)
    assert (after, total_after) == (before, total)
    for sort in SORTS:
        with app.app_context():
            page = list_products(per_page=PER_PAGE, sort=sort, page=deep)
        assert [row.id for row in page.items] == _every_page(app, sort=sort)[
            (deep - 1) * PER_PAGE : deep * PER_PAGE
        ]
    with app.app_context():
        page = list_products(per_page=PER_PAGE, page=deep)
    assert [row.stock for row in page.items if row.id == sold] == [0]
