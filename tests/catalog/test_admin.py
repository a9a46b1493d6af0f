"""Back-office products and categories: the forms with good and bad input, the list and its
filters, the storefront showing each change at once, and who may open these pages."""

from __future__ import annotations

import pytest

from jomso.catalog.models import Category, Product
from tests.catalog.admin_helpers import (
    category_order,
    count,
    create_product,
    product,
    product_form,
    submit,
)
from tests.catalog.helpers import make_category, make_product, text_of
from tests.helpers import login, make_user
from tests.staff.helpers import log_entries, post_form, staff_client


@pytest.fixture
def catalog(app):
    return staff_client(app, "catalog")


# -- Creating and editing ----------------------------------------------------------------------


def test_catalog_staff_creates_a_product_the_shop_shows_and_finds(app, catalog):
    kitchen = make_category(app, "Kitchen")
    response = submit(
        catalog, "/staff/products/new", product_form(category=str(kitchen), price="$1,024.50")
    )
    assert response.status_code == 302
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = catalog.get(response.headers["Location"])
    assert "“Walnut Serving Board” is created. Add its pictures below." in page.text

    saved = product(app, new_id)
    assert (saved.slug, saved.variant_text, saved.price_cents, saved.stock_total) == (
        "walnut-serving-board",
        "WSB-01",
        102450,
        7,
    )
    assert saved.is_active and saved.category_id == kitchen

    shop_page = app.test_client().get("/products/walnut-serving-board")
    assert shop_page.status_code == 200
    text = text_of(shop_page.text)
    assert "Walnut Serving Board" in text and "$1,024.50" in text and "Kitchen" in text
    assert "<strong>hand finished</strong>" in shop_page.text
    found = app.test_client().get("/products?q=walnut")
    assert "Walnut Serving Board" in found.text and "1 product" in text_of(found.text)


def test_an_edit_shows_in_the_shop_and_its_search_at_once(app, catalog):
    product_id = create_product(catalog)
    shopper = app.test_client()
    assert "Walnut Serving Board" in shopper.get("/products?q=walnut").text

    response = submit(
        catalog,
        f"/staff/products/{product_id}",
        product_form(
            name="Oak Serving Board",
            slug="oak-board",
            price="19",
            stock="3",
            description="Solid *oak*, from Brittany.",
        ),
    )
    assert response.status_code == 302
    assert "Saved. The shop shows the change now." in catalog.get(response.headers["Location"]).text

    assert "Oak Serving Board" in shopper.get("/products?q=oak").text
    assert "Oak Serving Board" in shopper.get("/products?q=brittany").text  # description
    assert "Nothing matches “walnut”" in shopper.get("/products?q=walnut").text
    assert shopper.get("/products/walnut-serving-board").status_code == 404
    page = shopper.get("/products/oak-board")
    assert "$19.00" in page.text and "Only 3 left" in page.text


def test_the_form_comes_back_filled_from_the_product(app, catalog):
    product_id = create_product(catalog, price="7.05", description="Line one\n\n- a list")
    page = catalog.get(f"/staff/products/{product_id}")
    assert page.status_code == 200
    assert 'value="Walnut Serving Board"' in page.text
    assert 'value="7.05"' in page.text
    assert 'value="walnut-serving-board"' in page.text
    assert "Line one\n\n- a list</textarea>" in page.text
    assert 'name="is_active" type="checkbox" value="y"' in page.text and "checked" in page.text


def test_the_longest_description_in_any_script_is_taken(app, catalog):
    """20,000 characters of Japanese is about 180 KB sent: more than other forms may send, but
    the product form makes room for its description."""
    description = ("陶器の湯呑み" * 4000)[:20_000]
    product_id = create_product(catalog, description=description)
    assert product(app, product_id).description == description
    too_long = submit(catalog, "/staff/products/new", product_form(description=description + "陶"))
    assert too_long.status_code == 422  # the field's own limit, beside the field


def test_an_empty_slug_is_made_from_the_name_and_kept_unique(app, catalog):
    first = create_product(catalog, name="Linen Napkin", sku="N-1")
    second = create_product(catalog, name="Linen Napkin", sku="N-2")
    third = create_product(catalog, name="Odd", slug="Crème Brûlée Set!", sku="N-3")
    assert product(app, first).slug == "linen-napkin"
    assert product(app, second).slug == "linen-napkin-2"
    assert product(app, third).slug == "creme-brulee-set"


def test_duplicate_sku_gets_a_message_beside_the_field(app, catalog):
    create_product(catalog, sku="WSB-01")
    response = submit(catalog, "/staff/products/new", product_form(name="Another", sku="WSB-01"))
    assert response.status_code == 422
    assert 'id="sku-error"' in response.text
    assert "Another product already has the SKU “WSB-01”." in response.text
    assert 'value="Another"' in response.text  # what was typed stays
    assert count(app, Product) == 1


def test_duplicate_typed_slug_gets_a_message_beside_the_field(app, catalog):
    create_product(catalog, slug="board")
    other = create_product(catalog, name="Cheese Knife", sku="CK-1")
    response = submit(
        catalog,
        f"/staff/products/{other}",
        product_form(name="Cheese Knife", sku="CK-1", slug="board"),
    )
    assert response.status_code == 422
    assert 'id="slug-error"' in response.text
    assert "Another one already uses the web address name “board”." in response.text
    assert product(app, other).slug == "cheese-knife"


def test_a_slug_without_letters_or_digits_is_refused(app, catalog):
    response = submit(catalog, "/staff/products/new", product_form(slug="---"))
    assert response.status_code == 422
    assert "Use letters, digits and dashes." in response.text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the price."),
        ("   ", "Enter the price."),
        ("abc", "Enter the price as a number, such as 12.50."),
        ("12,50", "Enter the price as a number, such as 12.50."),
        ("1e5", "Enter the price as a number, such as 12.50."),
        ("NaN", "Enter the price as a number, such as 12.50."),
        ("12.345", "Use at most 2 decimal places."),
        ("-5", "The price cannot be negative."),
        ("0", "The price must be more than zero."),
        ("0.00", "The price must be more than zero."),
        ("2500000", "That price is too high. Please check it."),
    ],
)
def test_bad_prices_are_refused_with_a_message(app, catalog, typed, message):
    response = submit(catalog, "/staff/products/new", product_form(price=typed))
    assert response.status_code == 422
    assert 'id="price-error"' in response.text
    assert message in response.text
    assert f'value="{typed}"' in response.text
    assert count(app, Product) == 0


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("7", 700), ("7.5", 750), ("$ 1,234.56", 123456), ("0.01", 1), (" 19.99 ", 1999)],
)
def test_prices_are_read_as_decimals_into_cents(app, catalog, typed, cents):
    product_id = create_product(catalog, price=typed)
    assert product(app, product_id).price_cents == cents


def test_prices_follow_the_shop_locale(tmp_path, monkeypatch):
    from tests.accounts.helpers import build_app, dispose_app

    app = build_app(tmp_path, monkeypatch, LOCALE="de_DE", CURRENCY="EUR")
    try:
        client = staff_client(app, "catalog")
        product_id = create_product(client, price="1.234,50")
        assert product(app, product_id).price_cents == 123450
        assert 'value="1234,50"' in client.get(f"/staff/products/{product_id}").text
        response = submit(client, "/staff/products/new", product_form(sku="X-2", price="12.50"))
        assert response.status_code == 422
        assert "etwa 12,50" in response.text  # the page is German too (translations/de)
    finally:
        dispose_app(app)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-1", "Stock cannot be negative."),
        ("2.5", "Enter a whole number, 0 or more."),
        ("many", "Enter a whole number, 0 or more."),
        ("", "Enter how many are in stock (0 when sold out)."),
        ("5000000", "That is more than the shop can count."),
    ],
)
def test_bad_stock_is_refused_with_a_message(app, catalog, typed, message):
    response = submit(catalog, "/staff/products/new", product_form(stock=typed))
    assert response.status_code == 422
    assert 'id="stock-error"' in response.text
    assert message in response.text
    assert count(app, Product) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "   ", "Give the product a name."),
        ("sku", "", "Enter the SKU (stock keeping unit)."),
        ("sku", "AB 12", "Use letters, digits and . _ / - only"),
        ("name", "x" * 201, "Field cannot be longer than 200 characters."),
        ("category", "999", "Not a valid choice."),
    ],
)
def test_other_bad_input_is_refused_beside_its_field(app, catalog, field, value, message):
    response = submit(catalog, "/staff/products/new", product_form(**{field: value}))
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert message in response.text
    assert count(app, Product) == 0


def test_stock_zero_is_sold_out_in_the_shop(app, catalog):
    product_id = create_product(catalog, stock="0")
    assert product(app, product_id).stock_total == 0
    page = app.test_client().get("/products/walnut-serving-board")
    assert "Sold out" in page.text
    assert "Add to cart" not in page.text


def test_preview_renders_the_sanitized_description_and_saves_nothing(app, catalog):
    description = (
        "## Care\n\n**Oil** it monthly.\n\n<script>alert('x')</script>\n\n[x](javascript:alert(1))"
    )
    response = submit(
        catalog, "/staff/products/new", product_form(description=description, action="preview")
    )
    assert response.status_code == 200
    assert "Preview: not saved yet" in response.text
    assert "<strong>Oil</strong> it monthly." in response.text
    assert "<h4>Care</h4>" in response.text  # headings shift down, as on the product page
    assert "<script>alert" not in response.text
    assert 'href="javascript' not in response.text
    assert "$24.50" in response.text  # the price as the shop formats it
    assert "Only 7 left" not in response.text and "In stock" in response.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in response.text  # kept in the form
    assert count(app, Product) == 0


def test_preview_with_bad_price_shows_what_was_typed(app, catalog):
    response = submit(
        catalog, "/staff/products/new", product_form(price="twelve", action="preview")
    )
    assert response.status_code == 200
    assert "twelve" in text_of(response.text)
    assert count(app, Product) == 0


def test_preview_of_an_edit_leaves_the_product_as_it_was(app, catalog):
    product_id = create_product(catalog)
    response = submit(
        catalog,
        f"/staff/products/{product_id}",
        product_form(name="Renamed", description="*New* text", action="preview"),
    )
    assert response.status_code == 200
    assert "<em>New</em> text" in response.text
    assert product(app, product_id).name == "Walnut Serving Board"


def test_unticking_on_sale_hides_the_product(app, catalog):
    product_id = create_product(catalog)
    response = submit(catalog, f"/staff/products/{product_id}", product_form(is_active=None))
    assert (
        "Saved. The product is hidden from the shop."
        in catalog.get(response.headers["Location"]).text
    )
    assert not product(app, product_id).is_active
    assert app.test_client().get("/products/walnut-serving-board").status_code == 404


def test_hide_and_put_on_sale_again(app, catalog):
    product_id = create_product(catalog)
    shopper = app.test_client()
    url = f"/staff/products/{product_id}"
    response = post_form(catalog, f"{url}/deactivate", page_url=url, follow_redirects=True)
    assert "“Walnut Serving Board” is hidden: it no longer shows in the shop." in response.text
    assert shopper.get("/products/walnut-serving-board").status_code == 404
    assert "Nothing matches “walnut”" in shopper.get("/products?q=walnut").text
    assert "Walnut Serving Board" not in shopper.get("/").text

    response = post_form(catalog, f"{url}/activate", page_url=url, follow_redirects=True)
    assert "is on sale in the shop again" in response.text
    assert shopper.get("/products/walnut-serving-board").status_code == 200
    assert "Walnut Serving Board" in shopper.get("/products?q=walnut").text


def test_hiding_a_product_takes_it_out_of_carts_with_a_note(app, catalog):
    from tests.catalog.helpers import add_to_cart

    product_id = create_product(catalog)
    shopper = app.test_client()
    add_to_cart(shopper, product_id)
    url = f"/staff/products/{product_id}"
    post_form(catalog, f"{url}/deactivate", page_url=url)
    cart = shopper.get("/cart")
    assert "“Walnut Serving Board” is no longer available" in cart.text


def test_unknown_products_are_404(app, catalog):
    assert catalog.get("/staff/products/999").status_code == 404
    token_page = catalog.get("/staff/products")
    from tests.conftest import csrf_token_from

    token = csrf_token_from(catalog.get("/staff/products/new").text)
    assert (
        catalog.post("/staff/products/999/deactivate", data={"csrf_token": token}).status_code
        == 404
    )
    assert token_page.status_code == 200


def test_a_post_without_csrf_token_changes_nothing(app, catalog):
    product_id = create_product(catalog)
    response = catalog.post(
        f"/staff/products/{product_id}", data=product_form(name="Sneaky", price="1")
    )
    assert response.status_code == 400
    assert "This form has expired" in response.text
    assert product(app, product_id).name == "Walnut Serving Board"


# -- The product list --------------------------------------------------------------------------


@pytest.fixture
def stocked(app):
    kitchen = make_category(app, "Kitchen")
    garden = make_category(app, "Garden", position=1)
    make_product(app, "Stoneware Mug", stock=40, category_id=kitchen, sku="KIT-MUG")
    make_product(app, "Enamel Teapot", stock=3, category_id=kitchen, sku="KIT-TEA")
    make_product(app, "Butter Dish", stock=0, category_id=kitchen, sku="KIT-BUT")
    make_product(app, "Clay Pot", stock=5, category_id=garden, sku="GAR-POT", is_active=False)
    make_product(app, "Gift Card", stock=99, sku="GIFT")
    return {"kitchen": kitchen, "garden": garden}


def _names(html: str) -> list[str]:
    import re

    return re.findall(r'href="/staff/products/\d+">([^<]+)</a>', html)


def test_the_list_shows_every_product_with_status_and_stock(app, catalog, stocked):
    response = catalog.get("/staff/products?sort=name")
    assert response.status_code == 200
    assert _names(response.text) == [
        "Butter Dish",
        "Clay Pot",
        "Enamel Teapot",
        "Gift Card",
        "Stoneware Mug",
    ]
    text = text_of(response.text)
    assert "5 products" in text
    assert "Hidden" in text and "On sale" in text  # the hidden one is listed too
    assert "sold out" in text and "3, low" in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=tea", ["Enamel Teapot"]),
        ("q=KIT-", ["Butter Dish", "Enamel Teapot", "Stoneware Mug"]),  # by SKU
        ("q=%25", []),  # a LIKE wildcard is plain text
        ("category={kitchen}", ["Butter Dish", "Enamel Teapot", "Stoneware Mug"]),
        ("category=none", ["Gift Card"]),
        ("stock=low", ["Butter Dish", "Clay Pot", "Enamel Teapot"]),
        ("stock=out", ["Butter Dish"]),
        ("status=inactive", ["Clay Pot"]),
        ("status=active&stock=low", ["Butter Dish", "Enamel Teapot"]),
        (
            "category=nonsense&stock=weird",
            ["Butter Dish", "Clay Pot", "Enamel Teapot", "Gift Card", "Stoneware Mug"],
        ),
    ],
)
def test_list_filters(app, catalog, stocked, query, expected):
    response = catalog.get(f"/staff/products?sort=name&{query.format(**stocked)}")
    assert response.status_code == 200
    assert _names(response.text) == expected


def test_stock_sort_puts_the_lowest_first(app, catalog, stocked):
    names = _names(catalog.get("/staff/products?sort=stock").text)
    assert names[:3] == ["Butter Dish", "Enamel Teapot", "Clay Pot"]


def test_the_list_has_pages(app, catalog):
    from tests.catalog.helpers import make_products

    make_products(app, 55, images=0)
    first = catalog.get("/staff/products?sort=name&stock=")
    assert len(_names(first.text)) == 50
    assert "55 products" in text_of(first.text)
    assert "page=2" in first.text
    second = catalog.get("/staff/products?sort=name&stock=&page=2")
    assert len(_names(second.text)) == 5
    assert catalog.get("/staff/products?page=99").status_code == 200


def test_the_list_runs_the_same_number_of_queries_for_any_page_size(app, catalog):
    from sqlalchemy import event

    from jomso.extensions import db
    from tests.catalog.helpers import make_products

    def queries_for(url):
        with app.app_context():
            engine = db.engine
        seen = []

        def count_statement(*_args):
            seen.append(1)

        event.listen(engine, "before_cursor_execute", count_statement)
        try:
            assert catalog.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count_statement)
        return len(seen)

    make_products(app, 3, images=1, prefix="Few")
    few = queries_for("/staff/products")
    make_products(app, 40, images=1, prefix="Many", category_id=make_category(app, "Lots"))
    many = queries_for("/staff/products")
    assert many == few


def test_empty_catalog_and_no_match(app, catalog):
    assert "The catalog is empty." in catalog.get("/staff/products").text
    make_product(app, "Mug")
    assert "No product matches these filters." in catalog.get("/staff/products?q=zzz").text


# -- Categories --------------------------------------------------------------------------------


def category_post(client, url, data, **kwargs):
    """Post one of the category page's forms (they all take that page's CSRF token)."""
    return submit(client, url, data, page_url="/staff/categories", **kwargs)


def test_create_categories_in_order_and_the_shop_menu_follows(app, catalog):
    for name in ("Kitchen", "Garden", "Bath"):
        response = category_post(catalog, "/staff/categories/new", {"name": name, "slug": ""})
        assert response.status_code == 302
    assert category_order(app) == ["Kitchen", "Garden", "Bath"]
    with app.app_context():
        from sqlalchemy import select

        from jomso.extensions import db

        ids = dict(db.session.execute(select(Category.name, Category.id)).all())
        slugs = list(db.session.scalars(select(Category.slug).order_by(Category.position)))
    assert slugs == ["kitchen", "garden", "bath"]
    for name in ("Kitchen", "Garden", "Bath"):
        make_product(app, f"{name} thing", category_id=ids[name])

    response = category_post(catalog, f"/staff/categories/{ids['Bath']}/move", {"direction": "up"})
    assert response.status_code == 302
    assert category_order(app) == ["Kitchen", "Bath", "Garden"]
    category_post(catalog, f"/staff/categories/{ids['Bath']}/move", {"direction": "up"})
    category_post(catalog, f"/staff/categories/{ids['Bath']}/move", {"direction": "up"})
    category_post(catalog, f"/staff/categories/{ids['Kitchen']}/move", {"direction": "down"})
    assert category_order(app) == ["Bath", "Garden", "Kitchen"]

    menu = app.test_client().get("/").text.split('aria-label="Categories"')[1].split("</nav>")[0]
    assert menu.index("Bath") < menu.index("Garden") < menu.index("Kitchen")


def test_a_bad_move_direction_changes_nothing(app, catalog):
    kitchen = make_category(app, "Kitchen")
    make_category(app, "Garden", position=1)
    category_post(catalog, f"/staff/categories/{kitchen}/move", {"direction": "sideways"})
    assert category_order(app) == ["Kitchen", "Garden"]


def test_category_form_errors_come_back_beside_the_fields(app, catalog):
    make_category(app, "Kitchen")
    response = category_post(catalog, "/staff/categories/new", {"name": "", "slug": ""})
    assert response.status_code == 422
    assert "Give the category a name." in response.text
    response = category_post(
        catalog, "/staff/categories/new", {"name": "Cooking", "slug": "Kitchen"}
    )
    assert response.status_code == 422
    assert 'id="slug-error"' in response.text
    assert "Another one already uses the web address name “kitchen”." in response.text
    assert 'value="Cooking"' in response.text
    # Leaving the slug empty makes a free one from the name.
    category_post(catalog, "/staff/categories/new", {"name": "Kitchen", "slug": ""})
    assert category_order(app) == ["Kitchen", "Kitchen"]
    with app.app_context():
        from sqlalchemy import select

        from jomso.extensions import db

        assert sorted(db.session.scalars(select(Category.slug))) == ["kitchen", "kitchen-2"]


def test_renaming_keeps_the_slug_unless_a_new_one_is_typed(app, catalog):
    kitchen = make_category(app, "Kitchen")
    make_category(app, "Garden", position=1)
    make_product(app, "Mug", category_id=kitchen)
    url = f"/staff/categories/{kitchen}"
    assert 'value="kitchen"' in catalog.get(url).text
    response = submit(catalog, url, {"name": "Kitchen & Table", "slug": "kitchen"})
    assert response.status_code == 302
    response = submit(catalog, url, {"name": "Kitchen & Table", "slug": ""})
    assert response.status_code == 302
    with app.app_context():
        from jomso.extensions import db

        assert db.session.get(Category, kitchen).slug == "kitchen"
    shop = app.test_client().get("/products?category=kitchen")
    assert "Kitchen &amp; Table" in shop.text

    response = submit(catalog, url, {"name": "Kitchen & Table", "slug": "garden"})
    assert response.status_code == 422
    assert "Another one already uses the web address name “garden”." in response.text
    response = submit(catalog, url, {"name": "Kitchen & Table", "slug": "Kitchen and Table"})
    assert response.status_code == 302
    assert app.test_client().get("/products?category=kitchen-and-table").status_code == 200
    assert app.test_client().get("/products?category=kitchen").status_code == 404


def test_only_an_empty_category_can_be_deleted(app, catalog):
    kitchen = make_category(app, "Kitchen")
    empty = make_category(app, "Empty", position=1)
    make_category(app, "Garden", position=2)
    make_product(app, "Mug", category_id=kitchen)
    make_product(app, "Old Mug", category_id=kitchen, is_active=False)

    page = catalog.get("/staff/categories")
    assert f'action="/staff/categories/{kitchen}/delete"' not in page.text
    assert f'action="/staff/categories/{empty}/delete"' in page.text
    assert "2 products" in text_of(page.text) and "1 on sale" in text_of(page.text)

    response = category_post(
        catalog, f"/staff/categories/{kitchen}/delete", {}, follow_redirects=True
    )
    assert "“Kitchen” still holds 2 products. Move them to another category first." in response.text
    assert category_order(app) == ["Kitchen", "Empty", "Garden"]

    response = category_post(
        catalog, f"/staff/categories/{empty}/delete", {}, follow_redirects=True
    )
    assert "Category “Empty” deleted." in response.text
    assert category_order(app) == ["Kitchen", "Garden"]
    with app.app_context():
        from jomso.extensions import db

        assert [c.position for c in db.session.query(Category).order_by(Category.position)] == [
            0,
            1,
        ]


def test_moving_a_product_to_another_category(app, catalog):
    kitchen = make_category(app, "Kitchen")
    garden = make_category(app, "Garden", position=1)
    product_id = create_product(catalog, category=str(kitchen))
    submit(catalog, f"/staff/products/{product_id}", product_form(category=str(garden)))
    assert product(app, product_id).category_id == garden
    assert "Walnut Serving Board" in app.test_client().get("/products?category=garden").text
    submit(catalog, f"/staff/products/{product_id}", product_form(category="0"))
    assert product(app, product_id).category_id is None


# -- Who may open these pages ------------------------------------------------------------------


CATALOG_PAGES = ["/staff/products", "/staff/products/new", "/staff/categories"]


@pytest.mark.parametrize("role", ["support", "analyst", "orders"])
def test_other_staff_roles_get_403(app, role):
    product_id = make_product(app, "Mug")
    category_id = make_category(app, "Kitchen")
    client = staff_client(app, role)
    for url in [
        *CATALOG_PAGES,
        f"/staff/products/{product_id}",
        f"/staff/categories/{category_id}",
    ]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Not allowed" in response.text
    from tests.conftest import csrf_token_from

    token = csrf_token_from(client.get("/staff/").text)
    response = client.post(
        f"/staff/products/{product_id}", data=product_form(name="Hacked", csrf_token=token)
    )
    assert response.status_code == 403
    response = client.post(f"/staff/products/{product_id}/deactivate", data={"csrf_token": token})
    assert response.status_code == 403
    assert product(app, product_id).name == "Mug" and product(app, product_id).is_active
    refused = log_entries(app, kind="permission_refused")
    assert len(refused) == 7 and all(e.detail == "needs manage_catalog" for e in refused)
    dashboard = client.get("/staff/").text
    assert 'href="/staff/products"' not in dashboard


def test_customers_get_403_and_anonymous_visitors_sign_in(app):
    make_user(app, "cora@example.com", name="Cora Customer")
    customer = app.test_client()
    login(customer, "cora@example.com")
    anonymous = app.test_client()
    for url in CATALOG_PAGES:
        assert customer.get(url).status_code == 403
        response = anonymous.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/account/login?next=")


def test_owner_manages_the_catalog_too(app):
    owner = staff_client(app, "owner")
    product_id = create_product(owner)
    assert product(app, product_id).name == "Walnut Serving Board"
    assert owner.get("/staff/categories").status_code == 200


def test_catalog_staff_see_their_links_and_cannot_edit_staff_roles(app, catalog):
    colleague = make_user(app, "sam@example.com", name="Sam Support", roles=["support"])
    dashboard = catalog.get("/staff/").text
    assert 'href="/staff/products"' in dashboard and 'href="/staff/categories"' in dashboard
    assert 'href="/staff/policy"' not in dashboard and 'href="/staff/staff"' not in dashboard

    from tests.conftest import csrf_token_from

    token = csrf_token_from(catalog.get("/staff/products/new").text)
    response = catalog.post(
        f"/staff/staff/{colleague}",
        data={"csrf_token": token, "name": "Sam", "roles": ["owner"]},
    )
    assert response.status_code == 403
    with app.app_context():
        from jomso.accounts.models import User
        from jomso.extensions import db

        assert db.session.get(User, colleague).role_names == ["support"]
    (entry,) = log_entries(app, kind="permission_refused")
    assert entry.view == "staff.staff_edit" and entry.detail == "needs administer"


def test_menu_highlights_products_on_the_product_pages(app, catalog):
    product_id = create_product(catalog)
    page = catalog.get(f"/staff/products/{product_id}").text
    assert '<a href="/staff/products" aria-current="page">Products</a>' in page


def test_catalog_pages_are_never_cached(app, catalog):
    for url in CATALOG_PAGES:
        assert catalog.get(url).headers["Cache-Control"] == "no-store"
