"""A catalog staff member adds a product with a picture; a customer then finds it by search and
sees the picture. The owner previews a policy change with its diff. Screenshots of the product
list, the edit form with its preview and the policy diff, for a person to look at."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.catalog.admin_helpers import jpeg_with_gps
from tests.catalog.helpers import make_category, make_product
from tests.helpers import PASSWORD, make_user


def _sign_in(page, email):
    page.goto("/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_catalog_staff_adds_a_product_a_customer_finds_it(app, page, tmp_path):
    kitchen = make_category(app, "Kitchen")
    make_category(app, "Garden", position=1)
    make_product(
        app, "Stoneware Mug", stock=40, category_id=kitchen, images=1, shape="mug", sku="KIT-MUG"
    )
    make_product(
        app, "Enamel Teapot", stock=3, category_id=kitchen, images=1, shape="vase", sku="KIT-TEA"
    )
    make_product(
        app, "Butter Dish", stock=0, category_id=kitchen, images=1, shape="bowl", sku="KIT-BUT"
    )
    make_product(app, "Old Planter", stock=5, is_active=False, sku="GAR-OLD")
    make_user(app, "cato@example.com", name="Cato Catalog", roles=["catalog"])
    picture = tmp_path / "IMG_2041.jpg"
    picture.write_bytes(jpeg_with_gps())

    _sign_in(page, "cato@example.com")
    nav = page.get_by_role("navigation", name="Back office")
    nav.get_by_role("link", name="Products").click()
    expect(page.get_by_role("heading", name="Products", level=1)).to_be_visible()
    expect(page.get_by_role("row", name="Old Planter").get_by_text("Hidden")).to_be_visible()
    screenshot(page, "catalog-admin-product-list")

    page.get_by_label("Stock").select_option("low")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("3 products match these filters")).to_be_visible()
    expect(page.get_by_role("link", name="Butter Dish")).to_be_visible()

    page.get_by_role("link", name="Add a product").first.click()
    page.get_by_label("Name", exact=True).fill("Walnut Serving Board")
    page.get_by_label("SKU").fill("KIT-BOARD")
    page.get_by_label("Category").select_option(label="Kitchen")
    page.get_by_label("Price").fill("twelve")
    page.get_by_label("In stock").fill("-2")
    page.get_by_label("Description").fill(
        "Cut from one piece of **walnut** and finished with food-safe oil.\n\n"
        "## Care\n\n- Wash by hand\n- Oil once a month\n\n<script>alert('x')</script>"
    )
    page.get_by_role("button", name="Create product").click()
    assert (
        page.locator("#price-error").inner_text() == "Enter the price as a number, such as 12.50."
    )
    expect(
        page.get_by_role("alert").get_by_role("link", name="Price: Enter the price")
    ).to_be_visible()
    assert page.locator("#stock-error").inner_text() == "Stock cannot be negative."
    assert page.get_by_label("Name", exact=True).input_value() == "Walnut Serving Board"

    page.get_by_label("Price").fill("34.90")
    page.get_by_label("In stock").fill("4")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator(".product-preview")
    expect(preview.get_by_text("Preview: not saved yet")).to_be_visible()
    expect(preview.locator("strong", has_text="walnut")).to_be_visible()
    expect(preview.get_by_text("$34.90")).to_be_visible()
    expect(preview.get_by_text("Only 4 left")).to_be_visible()
    assert preview.locator("script").count() == 0
    screenshot(page, "catalog-admin-product-preview")

    page.get_by_role("button", name="Create product").click()
    created = page.get_by_text("“Walnut Serving Board” is created. Add its pictures below.")
    expect(created).to_be_visible()
    page.get_by_label("Picture", exact=True).set_input_files(str(picture))
    page.get_by_label("Describe the picture").fill("A walnut board with a loaf of bread")
    page.get_by_role("button", name="Upload picture").click()
    expect(page.get_by_text("Picture added.")).to_be_visible()
    expect(page.locator(".picture-label", has_text="Picture 1")).to_be_visible()
    screenshot(page, "catalog-admin-product-edit")

    nav = page.get_by_role("navigation", name="Back office")
    nav.get_by_role("link", name="Products").click()
    expect(
        page.get_by_role("row", name="Walnut Serving Board").get_by_text("On sale")
    ).to_be_visible()

    nav = page.get_by_role("navigation", name="Back office")
    nav.get_by_role("link", name="Categories").click()
    page.get_by_label("Name", exact=True).fill("Bath")
    page.get_by_role("button", name="Add category").click()
    expect(page.get_by_text("Category “Bath” added.")).to_be_visible()
    page.get_by_role("button", name="Move Bath up").click()
    names = page.locator(".category-table tbody td:nth-child(2)").all_inner_texts()
    assert names == ["Kitchen", "Bath", "Garden"]
    screenshot(page, "catalog-admin-categories")
    _sign_out(page)

    # A customer searches the shop.
    page.goto("/")
    page.get_by_role("searchbox", name="Search products").fill("walnut board")
    page.get_by_role("button", name="Search").click()
    card = page.get_by_role("link", name="Walnut Serving Board")
    expect(card).to_be_visible()
    assert "/images/" in card.locator("img").get_attribute("src")
    card.click()
    expect(page.get_by_role("heading", name="Walnut Serving Board")).to_be_visible()
    picture_on_page = page.get_by_role("img", name="A walnut board with a loaf of bread")
    expect(picture_on_page).to_be_visible()
    # Visible once laid out; the picture itself may still be arriving: wait for it, then ask.
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=picture_on_page.element_handle()
    )
    loaded = picture_on_page.evaluate("img => img.complete && img.naturalWidth > 0")
    assert loaded
    expect(page.get_by_text("$34.90").first).to_be_visible()
    screenshot(page, "catalog-admin-customer-sees-product")


def test_owner_previews_a_policy_change(app, page):
    make_user(app, "olga@example.com", name="Olga Owner", roles=["owner"])
    customer = _customer_with_address(app)
    _sign_in(page, "olga@example.com")
    nav = page.get_by_role("navigation", name="Back office")
    nav.get_by_role("link", name="Privacy policy").click()
    expect(page.get_by_role("heading", name="In effect: version 1")).to_be_visible()
    page.get_by_role("link", name="Write a new version").click()

    body = page.get_by_label("Policy text (Markdown)")
    text = body.input_value()
    text = text.replace("which pages are useful", "which pages are read most")
    text = text.replace(
        "## Who is responsible",
        "## Who is responsible\n\nQuestions? Write to us; we answer within a week.",
    )
    body.fill(text)
    page.get_by_label("What changed").fill("Clearer words on page views; how fast we answer.")
    page.get_by_role("button", name="Preview changes").click()
    expect(page.get_by_role("heading", name="Changes against version 1")).to_be_visible()
    expect(page.locator(".policy-diff ins", has_text="read most")).to_be_visible()
    expect(page.locator(".policy-diff del", has_text="useful")).to_be_visible()
    screenshot(page, "policy-admin-diff")

    page.get_by_role("button", name="Publish version 2").click()
    expect(page.get_by_text("Version 2 is published and in effect.")).to_be_visible()
    expect(page.get_by_role("heading", name="In effect: version 2")).to_be_visible()
    screenshot(page, "policy-admin-versions")

    # The customer record shows phones, addresses and which version they accepted.
    page.goto(f"/staff/customers/{customer}")
    contact = page.locator("#section-contact")
    expect(contact.get_by_text("12 Orchard Lane")).to_be_visible()
    expect(contact.get_by_text("(202) 555-0143")).to_be_visible()
    policy = page.locator("#section-policy")
    expect(
        policy.get_by_text("Last accepted version 1; version 2 is in effect now.")
    ).to_be_visible()
    screenshot(page, "customer-record-contact-policy")


def _customer_with_address(app) -> int:
    from jomso.accounts.addresses import add_address
    from jomso.accounts.models import Phone, User
    from jomso.extensions import db
    from jomso.privacy.services import add_acceptance

    customer_id = make_user(app, "bea@example.com", name="Bea Customer")
    with app.app_context():
        user = db.session.get(User, customer_id)
        user.phones.append(Phone(number="+12025550143", position=0))
        user.phones.append(Phone(number="+442079460958", position=1))
        add_acceptance(user, source="registration")
        add_address(
            user,
            {
                "name": "Bea Customer",
                "line1": "12 Orchard Lane",
                "line2": "Flat 3",
                "city": "Springfield",
                "region": "IL",
                "postal_code": "62704",
                "country": "US",
            },
        )
        add_address(
            user,
            {
                "name": "Bea at Work",
                "line1": "1 Mill Street",
                "city": "Chicago",
                "region": "IL",
                "postal_code": "60601",
                "country": "US",
            },
            shipping=True,
        )
    return customer_id
