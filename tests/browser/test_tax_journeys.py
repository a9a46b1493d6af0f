"""Issue #12 end to end in a real browser: an EU shop (prices incl. 20% VAT, a 5.5% reduced
class) and a US shop (tax added by state) each set up by their owner on the staff pages and
bought from with a discount code and a shipping method, with the demo card.

Each journey checks, line by line, what the customer sees on the order's page and what staff
see on theirs against figures computed here from the prices alone (``expected_figures``, with
fractions: it does not call ``jomso.taxes.money``) and written out by hand in ``EU`` and ``US``.
Each ends on the customer's own order page, where the invoice's steps go once invoices land:
the expected figures for them are the same ``Expected``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from fractions import Fraction

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from jomso.catalog.models import Product
from jomso.catalog.page_cache import raise_revision
from jomso.extensions import db
from jomso.shipping.models import MethodKind, ShippingArea, ShippingMethod, ShippingZone
from tests.browser.conftest import screenshot
from tests.browser.test_checkout_journey import _decline_cookies
from tests.catalog.helpers import make_product
from tests.conftest import _test_config
from tests.helpers import PASSWORD, make_user
from tests.invoices.helpers import pdf_text, save_seller
from tests.mailbox import last_message, text_of
from tests.orders.helpers import all_orders, get_order
from tests.taxes.helpers import set_class, set_taxes

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
RATE = re.compile(r"\d+(\.\d+)? %")  # "5.5 %" in a tax line's label
LABEL_PREFIX = re.compile(r"^(incl\. VAT|Tax) ")  # the invoice names a rate without it
MINUS = "\u2212"  # the minus sign before a discount ("\u2212€6.65")


# -- The figures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    name: str
    slug: str
    unit_cents: int
    quantity: int
    percent: Fraction  # the tax rate at the delivery address, 0 for none
    label: str  # the tax line it falls in, as the pages name it


@dataclass(frozen=True)
class Expected:
    """Everything a journey checks, in cents: on the cart (the estimate for the shop's country),
    the order's page, the staff's page, the amount charged and, later, the invoice."""

    lines: dict[str, int]  # name → line total
    subtotal: int
    discount: int
    shipping: int
    tax: dict[str, int]  # tax line label → tax, as shown
    total: int  # what the card is charged
    included: bool  # the VAT is in the prices: its lines follow the total, not added to it


def _half_up(value: Fraction) -> int:
    """Rounded half away from zero to the cent (the documented rule)."""
    whole = int(abs(value) + Fraction(1, 2))
    return whole if value >= 0 else -whole


def _largest_remainder(total: int, weights: list[int]) -> list[int]:
    exact = [Fraction(total * w, sum(weights)) for w in weights]
    parts = [int(e) for e in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _split(
    items: list[Item], *, discount: int, shipping: int, shipping_taxed: bool
) -> tuple[list[int], list[int], dict[str, int]]:
    """Each line's total and its share of the discount (split by the lines' totals), and what
    each tax line taxes: its lines as paid, plus (when shipping is taxed) its share of the
    shipping, split over the rates by what their lines are paid."""
    totals = [item.unit_cents * item.quantity for item in items]
    shares = _largest_remainder(discount, totals)
    bases: dict[str, int] = {}
    for item, total, share in zip(items, totals, shares, strict=True):
        if item.percent:
            bases[item.label] = bases.get(item.label, 0) + total - share
    if shipping_taxed and shipping:
        labels = list(bases)
        for label, part in zip(
            labels, _largest_remainder(shipping, [bases[k] for k in labels]), strict=True
        ):
            bases[label] += part
    return totals, shares, bases


def expected_figures(
    items: list[Item], *, discount: int, shipping: int, included: bool, shipping_taxed: bool
) -> Expected:
    """The figures of a cart from its prices, by the rules docs/owners.md states: the discount
    split over the lines by their totals; shipping (when taxed) split over the rates by what
    their lines are paid; tax rounded once per rate, "gross x r / (100 + r)" when prices
    include it, "net x r / 100" when it is added."""
    totals, _shares, bases = _split(items, discount=discount, shipping=shipping,
                                    shipping_taxed=shipping_taxed)  # fmt: skip
    rates = {item.label: item.percent for item in items if item.percent}
    tax = {}
    for label, base in bases.items():
        rate = rates[label]
        tax[label] = _half_up(base * rate / (100 + rate) if included else base * rate / 100)
    subtotal = sum(totals)
    return Expected(
        lines={item.name: t for item, t in zip(items, totals, strict=True)},
        subtotal=subtotal,
        discount=discount,
        shipping=shipping,
        tax=tax,
        total=subtotal - discount + shipping + (0 if included else sum(tax.values())),
        included=included,
    )


def euros(cents: int) -> str:
    return f"€{cents // 100:,}.{cents % 100:02d}"


def dollars(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


# The EU shop, in France: two mugs at €24.00 (standard, 20%), a cookbook at €18.50 (reduced,
# 5.5%); the code BIENVENUE10 takes 10% off; Express delivery to Belgium costs €12.00, taxed in
# proportion to the classes (the EU's usual rule). The shop sells under the EU's €10,000
# threshold, so it charges French VAT to Belgium too: its owner sets BE at France's rates.
EU_VAT = "incl. VAT 20 % (Standard)"
EU_REDUCED = "incl. VAT 5.5 % (Reduced)"
EU_ITEMS = [
    Item("Stoneware Mug", "stoneware-mug", 2400, 2, Fraction(20), EU_VAT),
    Item("Provence Cookbook", "provence-cookbook", 1850, 1, Fraction(11, 2), EU_REDUCED),
]
# 10% of 66.50 = 6.65, split 48.00 : 18.50 → 4.80 and 1.85; paid 43.20 and 16.65.
# Express 12.00 split 43.20 : 16.65 → 8.66 and 3.34 (8.6617 and 3.3383: the cent to 3.34).
# VAT: (43.20 + 8.66) x 20/120 = 8.6433 → 8.64; (16.65 + 3.34) x 5.5/105.5 = 1.0421 → 1.04.
EU = Expected(
    lines={"Stoneware Mug": 4800, "Provence Cookbook": 1850},
    subtotal=6650,
    discount=665,
    shipping=1200,
    tax={EU_VAT: 864, EU_REDUCED: 104},
    total=7185,  # 66.50 - 6.65 + 12.00: the VAT is in the prices
    included=True,
)
# The cart's estimate, for France by Colissimo (€4.90, the cheapest): 4.90 split → 3.54 and
# 1.36; VAT (43.20 + 3.54) x 20/120 = 7.79, (16.65 + 1.36) x 5.5/105.5 = 0.9389 → 0.94.
EU_CART = Expected(
    lines=EU.lines, subtotal=6650, discount=665, shipping=490,
    tax={EU_VAT: 779, EU_REDUCED: 94}, total=6475, included=True,
)  # fmt: skip

# The US shop: a desk lamp at $45.00 (1,200 g) and two candles at $12.50 (300 g each); the code
# TAKE10 takes $10.00 off; 1,800 g ship for $12.00 by weight; California's 7.25% is added to the
# goods (shipping is not taxed there).
US_TAX = "Tax 7.25 % (Standard)"
US_ITEMS = [
    Item("Desk Lamp", "desk-lamp", 4500, 1, Fraction(29, 4), US_TAX),
    Item("Beeswax Candle", "beeswax-candle", 1250, 2, Fraction(29, 4), US_TAX),
]
# 10.00 split 45.00 : 25.00 → 6.43 and 3.57; taxed 60.00 x 7.25% = 4.35.
US = Expected(
    lines={"Desk Lamp": 4500, "Beeswax Candle": 2500},
    subtotal=7000,
    discount=1000,
    shipping=1200,
    tax={US_TAX: 435},
    total=7635,  # 70.00 - 10.00 + 12.00 + 4.35
    included=False,
)


def test_the_figures_follow_from_the_prices():
    """The hand-written figures and the ones computed from the prices agree (so a wrong hand
    sum, or a wrong rule here, fails before any browser opens)."""
    assert (
        expected_figures(EU_ITEMS, discount=665, shipping=1200, included=True, shipping_taxed=True)
        == EU
    )
    assert (
        expected_figures(EU_ITEMS, discount=665, shipping=490, included=True, shipping_taxed=True)
        == EU_CART
    )
    assert (
        expected_figures(
            US_ITEMS, discount=1000, shipping=1200, included=False, shipping_taxed=False
        )
        == US
    )


# -- Reading pages --------------------------------------------------------------------------


def _text(locator) -> str:
    return " ".join(locator.inner_text().split())


def _summary(page, selector: str) -> list[tuple[str, str]]:
    """A summary's <dt>/<dd> pairs, as shown, in their order."""
    pairs = page.locator(selector).evaluate(
        """dl => [...dl.querySelectorAll('dt')].map(
            dt => [dt.innerText.trim().replace(/\\s+/g, ' '),
                   dt.nextElementSibling.innerText.trim().replace(/\\s+/g, ' ')])"""
    )
    return [tuple(pair) for pair in pairs]


def _table_rows(page, selector: str) -> list[list[str]]:
    """Each row of a table as its cells' text (the product cell's first line)."""
    return page.locator(selector).evaluate(
        """table => [...table.rows].map(r => [...r.cells].map(
            c => c.innerText.trim().split('\\n')[0].replace(/\\s+/g, ' ')))"""
    )


def totals_as_shown(
    expected: Expected, money, *, subtotal: str, discount: str, shipping: str
) -> list[tuple[str, str]]:
    """The totals a reader meets, in order: tax added comes before the total (it is part of
    it); VAT in the prices follows the total (nothing to add up)."""
    tax = [(label, money(cents)) for label, cents in expected.tax.items()]
    rows = [
        (subtotal, money(expected.subtotal)),
        (discount, MINUS + money(expected.discount)),
        (shipping, money(expected.shipping)),
    ]
    total = [("Total", money(expected.total))]
    return rows + total + tax if expected.included else rows + tax + total


def check_order_table(rows: list[list[str]], expected: Expected, money, code: str) -> None:
    """An order's lines and totals, one row each, in the order a reader meets them."""
    body = {row[0]: row[-1] for row in rows[1 : 1 + len(expected.lines)]}
    assert body == {name: money(cents) for name, cents in expected.lines.items()}
    footer = [(row[0], row[-1]) for row in rows[1 + len(expected.lines) :]]
    assert footer == totals_as_shown(
        expected, money, subtotal="Subtotal", discount=f"Discount ({code})", shipping="Shipping"
    )


def check_invoice(page, items: list[Item], expected: Expected, money, *, code: str,
                  method: str, shipping_taxed: bool, seller: str, name: str) -> None:  # fmt: skip
    """Open the invoice from the order's page and read it line by line: each line's quantity,
    unit price, share of the discount, rate and amount paid; what each rate taxes and its tax;
    the totals; the lines + shipping + tax added make the amount charged. Then its PDF."""
    page.get_by_role("link", name="view and print").first.click()
    page.wait_for_url("**/invoice*")
    assert _text(page.locator(".invoice-seller")).startswith(seller)
    totals, shares, bases = _split(
        items, discount=expected.discount, shipping=expected.shipping, shipping_taxed=shipping_taxed
    )
    rows = _table_rows(page, "table.invoice-lines")
    assert rows[0] == ["Product", "SKU", "Quantity", "Unit price", "Discount", "Tax rate", "Total"]
    assert [[row[0], *row[2:]] for row in rows[1:]] == [
        [item.name, str(item.quantity), money(item.unit_cents),
         MINUS + money(share) if share else "", RATE.search(item.label).group(),
         money(total - share)]
        for item, total, share in zip(items, totals, shares, strict=True)
    ]  # fmt: skip
    tax = sum(expected.tax.values())
    paid = sum(totals) - sum(shares)
    assert paid + expected.shipping + (0 if expected.included else tax) == expected.total
    assert _table_rows(page, "table.invoice-taxes")[1:] == [
        [LABEL_PREFIX.sub("", label), money(bases[label]), money(cents)]
        for label, cents in expected.tax.items()
    ]
    head = [
        ["Subtotal", money(expected.subtotal)],
        [f"Discount ({code})", MINUS + money(expected.discount)],
        [f"Shipping ({method})", money(expected.shipping)],
    ]
    total = ["Total", money(expected.total)]
    assert _table_rows(page, "table.invoice-totals") == head + (
        [total, ["Of which VAT", money(tax)]] if expected.included else [["Tax", money(tax)], total]
    )
    screenshot(page, name)

    pdf = page.request.get(page.get_by_role("link", name="Download the PDF").get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    printed = pdf_text(pdf.body())
    assert seller in printed and f"Total {money(expected.total)}" in printed
    for item, total, share in zip(items, totals, shares, strict=True):
        assert f"{item.name}\nSKU-" in printed and money(total - share) in printed


def _both_widths(page, name: str) -> None:
    """A full-page screenshot at 1280 px and at 390 px (a phone), the page fitting each."""
    screenshot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    screenshot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def _sign_in(page, email: str) -> None:
    page.goto("/account/login")
    _decline_cookies(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/account/login" not in url)


def _flash(page) -> str:
    return _text(page.locator(".flash").first)


def _add_rate(desk, tax_class: str, place: str, rate: str) -> None:
    desk.goto("/staff/taxes/rates/new")
    desk.get_by_label("Tax class").select_option(tax_class)
    desk.get_by_label("Country or region").fill(place)
    desk.get_by_label("Rate (%)").fill(rate)
    desk.get_by_role("button", name="Save the rate").click()
    assert _flash(desk) == f"The rate for {place} is saved."


def _add_code(desk, code: str, kind: str, field: str, value: str) -> None:
    desk.goto("/staff/discounts")
    desk.get_by_role("link", name="Add a code").click()
    desk.get_by_label("Code", exact=True).fill(code)
    desk.get_by_label("Gives").select_option(label=kind)
    desk.get_by_label(field, exact=True).fill(value)
    desk.get_by_role("button", name="Save the code").click()
    assert code in _text(desk.locator("main"))


def _zones(app, *zones) -> None:
    """Replace every zone by ``zones``: (name, [country codes], [methods])."""
    with app.app_context():
        for zone in db.session.scalars(select(ShippingZone)):
            db.session.delete(zone)
        db.session.flush()
        for name, codes, methods in zones:
            areas = [ShippingArea(country=code, region="") for code in codes]
            db.session.add(ShippingZone(name=name, areas=areas, methods=methods))
        raise_revision()  # as shipping.editing does: workers keep the zones per revision
        db.session.commit()


def _weigh(app, product_id: int, grams: int) -> None:
    with app.app_context():
        for variant in db.session.get(Product, product_id).variants:
            variant.weight_grams = grams
        db.session.commit()


def _staff_order_page(browser, live_server, email: str, number: str, expected, money, code):
    """Staff open the order: its lines and totals, and the payment's amount."""
    context = browser.new_context(base_url=live_server, viewport=DESKTOP)
    try:
        desk = context.new_page()
        _sign_in(desk, email)
        desk.goto(f"/staff/orders/{number}")
        expect(desk.get_by_role("heading", name=f"Order {number}")).to_be_visible()
        lines = _table_rows(desk, "section[aria-labelledby=lines-title] table")
        check_order_table(lines, expected, money, code)
        payment = dict(_summary(desk, "section[aria-labelledby=payment-title] dl"))
        assert payment["Amount"] == money(expected.total)
        _both_widths(desk, f"tax-journey-{'eu' if money is euros else 'us'}-staff-order")
    finally:
        context.close()


# -- The EU shop ----------------------------------------------------------------------------


@pytest.fixture
def app(request, tmp_path, monkeypatch, database_url):
    """The ``app`` of tests/conftest.py, with the shop's own settings when a test asks for
    them (``@pytest.mark.parametrize("app", [{...}], indirect=True)``)."""
    from jomso import create_app

    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({**_test_config(database_url), **getattr(request, "param", {})})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# A shop in France selling in euros; the browser asks for English, so the pages speak it.
@pytest.mark.parametrize("app", [{"LOCALE": "fr_FR", "CURRENCY": "EUR"}], indirect=True)
def test_an_eu_shop_sells_with_vat_a_discount_and_shipping(app, browser, live_server):
    make_product(app, "Stoneware Mug", price_cents=2400, stock=10, images=1, shape="mug")
    book = make_product(app, "Provence Cookbook", price_cents=1850, stock=5, images=1)
    set_class(app, book, "reduced")
    save_seller(app)  # Jomso Keramik GmbH, Hamburg, DE123456789
    _zones(app, ("Switzerland and the UK", ["CH", "GB"],
                 [ShippingMethod(name="International parcel", kind=MethodKind.FLAT,
                                 price_cents=1500)]))  # fmt: skip
    make_user(app, "odile@example.com", name="Odile Owner", roles=["owner"])

    # The owner sets the taxes, the EU zone and its methods, and the code.
    owner = browser.new_context(base_url=live_server, viewport=DESKTOP)
    try:
        desk = owner.new_page()
        _sign_in(desk, "odile@example.com")
        desk.goto("/staff/taxes")
        desk.get_by_role("radio", name=re.compile(r"^include tax")).check()
        desk.get_by_role("radio", name=re.compile(r"in proportion")).check()
        desk.get_by_role("button", name="Save the settings").click()
        assert _flash(desk) == "The tax settings are saved."
        for place in ("FR", "BE"):
            _add_rate(desk, "standard", place, "20")
            _add_rate(desk, "reduced", place, "5.5")
        rates = _text(desk.locator("main"))
        assert "FR 20 %" in rates and "BE 5.5 %" in rates

        desk.goto("/staff/shipping")
        desk.get_by_role("link", name="Add a zone").click()
        desk.get_by_label("Name").fill("European Union")
        desk.get_by_label("Countries and regions").fill("FR, BE, DE, ES, IT, LU, NL")
        desk.get_by_role("button", name="Save the zone").click()
        for name, kind, price, free_from in (
            ("Colissimo", "Flat rate, free from a subtotal", "4.90", "100"),
            ("Express", "Flat rate", "12.00", ""),
        ):
            desk.get_by_role("link", name="Add a method to European Union").click()
            desk.get_by_label("Name customers see").fill(name)
            desk.get_by_label("Kind").select_option(label=kind)
            desk.get_by_label("Price", exact=True).fill(price)
            desk.get_by_label("Free from a subtotal of").fill(free_from)
            desk.get_by_role("button", name="Save the method").click()
        zone = desk.locator("section.staff-panel", has_text="European Union")
        assert "€4.90, free from €100.00" in _text(zone) and "€12.00" in _text(zone)

        _add_code(desk, "BIENVENUE10", "Percent off", "Percent off", "10")
    finally:
        owner.close()

    # The customer, without JavaScript: every step works by the page's buttons.
    context = browser.new_context(base_url=live_server, viewport=DESKTOP, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto("/products/stoneware-mug")
        _decline_cookies(page)
        product = _text(page.locator("main"))
        assert "€24.00" in product and "incl. VAT" in product
        page.get_by_label("Quantity").fill("2")
        page.get_by_role("button", name="Add to cart").click()
        page.goto("/products/provence-cookbook")
        page.get_by_role("button", name="Add to cart").click()

        page.goto("/cart")
        page.get_by_label("Discount code").fill("bienvenue 10")  # as typed by a person
        page.get_by_role("button", name="Apply").click()
        cart = _summary(page, "aside.totals dl")
        assert cart == totals_as_shown(
            EU_CART, euros, subtotal="Subtotal (3 items)", discount="Discount (BIENVENUE10)",
            shipping="Shipping",
        )  # fmt: skip
        notes = _text(page.locator("aside.totals"))
        assert "The VAT shown is for France" in notes
        assert "Shipping to France by Colissimo" in notes
        _both_widths(page, "tax-journey-eu-cart")

        page.get_by_role("link", name="Go to checkout").click()
        page.get_by_label("Email").fill("bruno@example.com")
        page.get_by_label("Phone number").fill("+32 2 555 01 43")
        billing = page.get_by_role("group", name="Billing address")
        billing.get_by_label("Country").select_option("BE")
        billing.get_by_role("button", name="Show the fields for this country").click()
        billing = page.get_by_role("group", name="Billing address")
        billing.get_by_label("Full name").fill("Bruno Acheteur")
        billing.get_by_label("Address line 1").fill("Rue Neuve 12")
        billing.get_by_label("City").fill("Bruxelles")
        billing.get_by_label("Postal code").fill("1000")
        page.get_by_role("button", name="Update the delivery options for this address").click()
        delivery = page.locator("fieldset.delivery-methods")
        assert "Colissimo" in _text(delivery) and "International parcel" not in _text(delivery)
        page.get_by_role("radio", name=re.compile("^Express")).check()
        page.get_by_role("button", name="Update the delivery options for this address").click()
        assert page.get_by_role("radio", name=re.compile("^Express")).is_checked()
        shown = _summary(page, "aside.checkout-summary dl")
        assert shown == totals_as_shown(  # the summary names the method picked
            EU, euros, subtotal="Subtotal (3 items)", discount="Discount (BIENVENUE10)",
            shipping="Express",
        )  # fmt: skip
        note = _text(page.locator("#tax-note"))
        assert note == "Prices include VAT, for the address you entered."
        _both_widths(page, "tax-journey-eu-checkout")

        page.get_by_role("button", name=f"Place order and pay {euros(EU.total)}").click()
        page.wait_for_url("**/orders/J*")
        expect(page.get_by_text("Your order is placed.")).to_be_visible()
        number = page.locator("h1").inner_text()
        order_url = page.url
        check_order_table(_table_rows(page, "table.order-lines"), EU, euros, "BIENVENUE10")
        assert "Delivery: Express" in _text(page.locator("main"))
        _both_widths(page, "tax-journey-eu-confirmation")

        order = get_order(app, number)
        assert (order.total_cents, order.tax_cents, order.currency) == (EU.total, 968, "EUR")
        assert order.sale.amount_cents == EU.total  # what the card was charged
        mail = text_of(last_message(app, to="bruno@example.com"))
        vat = "".join(f"\n{label}: {euros(cents)}" for label, cents in EU.tax.items())
        assert f"Total: {euros(EU.total)}{vat}" in mail  # the VAT follows the total there too

        _staff_order_page(
            browser, live_server, "odile@example.com", number, EU, euros, "BIENVENUE10"
        )

        # The guest's own order page, where the invoice is offered.
        page.goto(order_url)
        check_order_table(_table_rows(page, "table.order-lines"), EU, euros, "BIENVENUE10")
        check_invoice(page, EU_ITEMS, EU, euros, code="BIENVENUE10", method="Express",
                      shipping_taxed=True, seller="Jomso Keramik GmbH",
                      name="tax-journey-eu-invoice")  # fmt: skip
    finally:
        context.close()


# -- The US shop ----------------------------------------------------------------------------

ANTARCTICA = {"name": "Cal Buyer", "line1": "1 Ice Shelf", "city": "McMurdo"}


def test_a_us_shop_adds_the_states_tax_to_a_discounted_order(app, browser, live_server):
    lamp = make_product(app, "Desk Lamp", price_cents=4500, stock=8, images=1, shape="vase")
    candle = make_product(app, "Beeswax Candle", price_cents=1250, stock=20, images=1)
    _weigh(app, lamp, 1200)
    _weigh(app, candle, 300)
    set_taxes(app, included=False, rule="none",
              rates={"standard:US-CA": 7250, "standard:US-NY": 4000})  # fmt: skip
    parcel = ShippingMethod(name="Ground parcel", kind=MethodKind.WEIGHT)
    parcel.bands = [(1000, 600), (5000, 1200)]
    _zones(app, ("United States", ["US"], [parcel]),
           ("Canada", ["CA"], [ShippingMethod(name="Canada Post", kind=MethodKind.FLAT,
                                              price_cents=2500)]))  # fmt: skip
    make_user(app, "owen@example.com", name="Owen Owner", roles=["owner"])
    save_seller(app, legal_name="Jomso Ceramics Inc.", line1="1 Main St", city="Portland",
                region="OR", postal_code="97201", country="US")  # fmt: skip
    make_user(app, "cal@example.com", name="Cal Buyer")

    owner = browser.new_context(base_url=live_server, viewport=DESKTOP)
    try:
        desk = owner.new_page()
        _sign_in(desk, "owen@example.com")
        _add_code(desk, "TAKE10", "Amount off", "Amount off", "10")
    finally:
        owner.close()

    context = browser.new_context(base_url=live_server, viewport=DESKTOP)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        _sign_in(page, "cal@example.com")
        page.goto("/products/desk-lamp")
        product = _text(page.locator("main"))
        assert "$45.00" in product and "plus tax" in product
        page.get_by_role("button", name="Add to cart").click()
        page.goto("/products/beeswax-candle")
        page.get_by_label("Quantity").fill("2")
        page.get_by_role("button", name="Add to cart").click()

        page.goto("/cart")
        page.get_by_label("Discount code").fill("TAKE10")
        page.get_by_role("button", name="Apply").click()
        cart = _summary(page, "aside.totals dl")
        # No rate for the US as a whole: the tax comes with the address.
        before_tax = replace(US, tax={}, total=US.subtotal - US.discount + US.shipping)
        assert cart == totals_as_shown(
            before_tax, dollars, subtotal="Subtotal (3 items)", discount="Discount (TAKE10)",
            shipping="Shipping",
        )  # fmt: skip
        assert "Prices are plus tax." in _text(page.locator("aside.totals"))
        _both_widths(page, "tax-journey-us-cart")

        page.get_by_role("link", name="Go to checkout").click()
        page.get_by_label("Phone number").fill("(415) 555-0143")
        billing = page.get_by_role("group", name="Billing address")
        # First an address in no zone: told so before any payment, the cart kept.
        billing.get_by_label("Country").select_option("AQ")
        for label, key in (("Full name", "name"), ("Address line 1", "line1"), ("City", "city")):
            billing.get_by_label(label).fill(ANTARCTICA[key])
        page.get_by_role("button", name="Update the delivery options for this address").click()
        expect(
            page.get_by_text(
                "We do not deliver to Antarctica. Please choose another delivery address."
            ).first
        ).to_be_visible()
        assert all_orders(app) == []
        screenshot(page, "tax-journey-us-no-zone")

        billing = page.get_by_role("group", name="Billing address")
        billing.get_by_label("Country").select_option("US")
        billing.get_by_label("Full name").fill("Cal Buyer")
        billing.get_by_label("Address line 1").fill("1 Market St")
        billing.get_by_label("City").fill("San Francisco")
        billing.get_by_label("State").fill("CA")
        billing.get_by_label("ZIP code").fill("94105")
        page.get_by_role("button", name="Update the delivery options for this address").click()
        shown = _summary(page, "aside.checkout-summary dl")
        assert shown == totals_as_shown(
            US, dollars, subtotal="Subtotal (3 items)", discount="Discount (TAKE10)",
            shipping="Ground parcel",
        )  # fmt: skip
        assert _text(page.locator("#tax-note")) == "Tax is added for the address you entered."
        assert page.get_by_role("radio", name=re.compile("^Ground parcel")).is_checked()
        _both_widths(page, "tax-journey-us-checkout")

        # A tampered delivery method: a clear answer, nothing charged, the cart still there.
        page.locator("input[name=shipping_method]:checked").evaluate("r => r.value = '99999'")
        page.get_by_role("button", name=f"Place order and pay {dollars(US.total)}").click()
        refused = page.get_by_text("That delivery method is not offered for this address")
        expect(refused.first).to_be_visible()
        screenshot(page, "tax-journey-us-tampered-method")
        assert all_orders(app) == []
        assert "Desk Lamp" in _text(page.locator("aside.checkout-summary"))

        page.get_by_role("radio", name=re.compile("^Ground parcel")).check()
        page.get_by_role("button", name=f"Place order and pay {dollars(US.total)}").click()
        page.wait_for_url("**/orders/J*")
        number = page.locator("h1").inner_text()
        order_url = page.url
        check_order_table(_table_rows(page, "table.order-lines"), US, dollars, "TAKE10")
        _both_widths(page, "tax-journey-us-confirmation")
        order = get_order(app, number)
        assert order.sale.amount_cents == order.total_cents == US.total

        _staff_order_page(browser, live_server, "owen@example.com", number, US, dollars, "TAKE10")

        # The customer's order page in their account, where the invoice is offered.
        page.goto("/account/orders")
        page.get_by_role("link", name=number).click()
        assert page.url == order_url
        check_order_table(_table_rows(page, "table.order-lines"), US, dollars, "TAKE10")
        check_invoice(page, US_ITEMS, US, dollars, code="TAKE10", method="Ground parcel",
                      shipping_taxed=False, seller="Jomso Ceramics Inc.",
                      name="tax-journey-us-invoice")  # fmt: skip
    finally:
        context.close()


# -- Picking another method with JavaScript -------------------------------------------------


@pytest.mark.parametrize(
    ("included", "labels", "post", "courier"),
    [
        # 10% added on goods and shipping: 45.00 → 4.50, then 55.00 → 5.50 (before the total).
        (False, ["Tax 10 % (Standard)", "Total"], ("$4.50", "$49.50"), ("$5.50", "$60.50")),
        # 10% in the prices: 45.00 x 10/110 = 4.09, then 55.00 → 5.00 (after the total).
        (True, ["Total", "incl. VAT 10 % (Standard)"], ("$4.09", "$45.00"), ("$5.00", "$55.00")),
    ],
)
def test_picking_another_method_shows_its_tax_at_once(app, page, included, labels, post, courier):
    """Shipping taxed: another method is another tax, shown with its total, without reload."""
    make_product(app, "Desk Lamp", price_cents=4000, stock=5)
    set_taxes(app, included=included, rule="standard", rates={"standard:US": 10000})
    _zones(app, ("United States", ["US"], [
        ShippingMethod(name="Post", kind=MethodKind.FLAT, price_cents=500),
        ShippingMethod(name="Courier", kind=MethodKind.FLAT, price_cents=1500),
    ]))  # fmt: skip
    page.goto("/products/desk-lamp")
    _decline_cookies(page)
    page.get_by_role("button", name="Add to cart").click()
    page.goto("/checkout")
    page.evaluate("window.notReloaded = true")

    def shown():
        rows = _summary(page, "aside.checkout-summary dl")[-2:]
        assert [label for label, _amount in rows] == labels
        tax = page.locator("#checkout-tax-standard").inner_text()
        return tax, page.locator("#checkout-total").inner_text()

    assert shown() == post
    page.get_by_role("radio", name=re.compile("^Courier")).check()
    assert shown() == courier
    assert page.locator("#place-order").inner_text() == f"Place order and pay {courier[1]}"
    page.get_by_role("radio", name=re.compile("^Post")).check()
    assert shown() == post
    assert page.evaluate("window.notReloaded")
