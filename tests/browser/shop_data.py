"""A shop like the demo, with a bit of everything a page can show: the demo catalog, a
customer with addresses, phones and orders in every staff-relevant state, a guest order, an
enquiry with a reply, a confirmed new-product subscriber, an announcement draft, and one staff
member per role.

Built through the services and the real forms (test client), so it stays what the shop
would hold. Used by the page-width test (``test_every_page_fits.py``) and handy for looking at
pages by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from jomso.accounts.addresses import add_address
from jomso.accounts.models import User
from jomso.accounts.profile_changes import update_profile
from jomso.catalog.demo import seed_demo
from jomso.catalog.models import Category, Product
from jomso.contact.models import Enquiry
from jomso.contact.services import reply
from jomso.discounts.codes import lookup_key
from jomso.discounts.models import DiscountCode
from jomso.extensions import db
from jomso.invoices.seller import SellerData, save_seller_details
from jomso.newsletter import composing
from jomso.newsletter.services import find_subscriber, unsubscribe_link
from jomso.orders import fulfilment, shipping
from jomso.orders.models import Order
from jomso.pages.demo import publish_demo_pages
from jomso.permissions import Role
from jomso.taxes.demo import set_up_demo_taxes
from tests.catalog.helpers import make_product
from tests.contact.helpers import confirm_link, send_contact, subscribe_from_footer
from tests.helpers import PASSWORD, login, make_user
from tests.orders.helpers import DECLINED, add_to_cart, checkout, order_number

CUSTOMER = "bea@example.com"
OWNER = "olga@staff.example.org"
SUBSCRIBER = "sub@example.com"

ADDRESS = {
    "name": "Bea Customer",
    "line1": "12 Orchard Lane",
    "line2": "Flat 3",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62704",
    "country": "US",
}


@dataclass
class Shop:
    """What was made: the rows whose ids the pages need."""

    customer_id: int = 0
    owner_id: int = 0
    staff_ids: dict[str, int] = field(default_factory=dict)
    product_slug: str = ""
    product_id: int = 0
    category_id: int = 0
    address_id: int = 0
    # Order numbers by what they show: paid (cancel offered), settled (refund offered), ...
    orders: dict[str, str] = field(default_factory=dict)
    enquiry_id: int = 0
    announcement_id: int = 0
    discount_code_id: int = 0
    subscriber_confirm_path: str = ""
    subscriber_unsubscribe_path: str = ""


def build_shop(app, products: int = 12) -> Shop:
    """Fill ``app``'s database; returns the ids and numbers of what it made."""
    app.config["CONTACT_MIN_SECONDS"] = 0
    shop = Shop()
    with app.app_context():
        seed_demo(products, seed=2018)
        publish_demo_pages()
        set_up_demo_taxes()  # a US shop: sales tax in four states (rate 1 is California's)
        # Products without options: a form that sends only the product adds them.
        simple = ~Product.options.any()
        product = db.session.scalars(
            select(Product).where(Product.stock_total > 5, simple).order_by(Product.id)
        ).first()
        shop.product_slug, shop.product_id = product.slug, product.id
        shop.category_id = db.session.scalar(select(Category.id).order_by(Category.id))
        category_ids = db.session.scalars(select(Category.id).order_by(Category.id)).all()
        in_stock = db.session.scalars(
            select(Product.id).where(Product.stock_total > 5, simple).order_by(Product.id)
        ).all()

    new_products = (("Ash Serving Bowl", "bowl"), ("Linen Apron", "textile"))
    for index, (name, shape) in enumerate(new_products):
        make_product(
            app, name, price_cents=3400 + index * 1000, stock=8, age_days=1, images=2,
            shape=shape, category_id=category_ids[index % len(category_ids)],
            description="New this week.\n\nMade in small batches.",
        )  # fmt: skip
    shop.owner_id = make_user(app, OWNER, name="Olga Owner", roles=[Role.OWNER])
    for role in Role:
        if role is not Role.OWNER:
            email = f"{role.value}@staff.example.org"
            shop.staff_ids[role.value] = make_user(
                app, email, name=f"{role.value.title()} Person", roles=[role]
            )
    shop.customer_id = make_user(app, CUSTOMER, name="Bea Customer")
    with app.app_context():
        for user in db.session.scalars(select(User)):
            user.email_confirmed_at = user.created_at  # no "confirm your email" notice
        customer = db.session.get(User, shop.customer_id)
        shop.address_id = add_address(customer, ADDRESS).id
        add_address(customer, {**ADDRESS, "line1": "4 Mill Street", "line2": ""})
        update_profile(customer, "Bea Customer", ["+12025550143", "+12025550199"], False)
        # The orders person asked for new-order emails; the staff list shows it.
        db.session.get(User, shop.staff_ids["orders"]).notify_new_orders = True
        db.session.commit()
        # The seller's details, long enough to test the page's width.
        save_seller_details(
            SellerData(
                legal_name="Jomso Ceramics and Household Goods Limited Liability Company",
                address={
                    "line1": "1200 Northwest Marshall Street, Building C, Suite 400",
                    "line2": "",
                    "city": "Portland",
                    "region": "OR",
                    "postal_code": "97209",
                    "country": "US",
                },
                tax_id="123456789",
                invoice_footer="Payable within 30 days to account 0000-1234-5678-9012-3456. "
                "Thank you for shopping with a small business.",
            )
        )

    # Orders: the customer's (signed in), and a guest's declined one.
    client = app.test_client()
    assert login(client, CUSTOMER, PASSWORD).status_code == 302
    for name, product_ids in (
        ("paid", in_stock[:2]),
        ("processing", in_stock[2:3]),
        ("shipped", in_stock[3:4]),
        ("settled", in_stock[4:6]),
        ("partly_refunded", in_stock[6:7]),
        ("cancelled", in_stock[7:8]),
        ("partially_shipped", in_stock[4:6]),
    ):
        for product_id in product_ids:
            add_to_cart(client, product_id, 2)
        response = checkout(client, email=CUSTOMER)
        shop.orders[name] = order_number(response)
    guest = app.test_client()
    add_to_cart(guest, in_stock[0])
    checkout(guest, nonce=DECLINED)  # the checkout page comes back with the message
    with app.app_context():
        shop.orders["payment_failed"] = db.session.scalar(
            select(Order.number).where(Order.status == "payment_failed")
        )
    _move_orders(app, shop)
    add_to_cart(client, in_stock[1])  # the cart and checkout pages have something to show

    # An enquiry about a product, answered; a confirmed subscriber; an announcement draft.
    visitor = app.test_client()
    send_contact(visitor, f"/contact?product={shop.product_slug}")
    subscribe_from_footer(visitor, SUBSCRIBER)
    shop.subscriber_confirm_path = confirm_link(app, SUBSCRIBER)
    with app.app_context():
        owner = db.session.get(User, shop.owner_id)
        enquiry = db.session.scalars(select(Enquiry).order_by(Enquiry.id)).first()
        reply(enquiry, "Yes, we ship to Canada: allow a week.", owner)
        shop.enquiry_id = enquiry.id
        subscriber = find_subscriber(SUBSCRIBER)
        shop.subscriber_unsubscribe_path = "/" + unsubscribe_link(subscriber).split("/", 3)[3]
        picks = [p.id for p in composing.candidate_products()[:3]]
        draft = composing.save_draft(
            None, subject="New this week", intro="Three new pieces.", product_ids=picks,
            author=owner,
        )  # fmt: skip
        shop.announcement_id = draft.id
        code = DiscountCode(
            code="WELCOME10", lookup_key=lookup_key("WELCOME10"), kind="percent", value=10,
            min_subtotal_cents=2000, usage_limit=100, per_customer_limit=1,
        )  # fmt: skip
        db.session.add(code)
        db.session.commit()
        shop.discount_code_id = code.id
    return shop


def _move_orders(app, shop: Shop) -> None:
    """Take each order to the state its name says, as staff would."""
    with app.app_context():
        owner = db.session.get(User, shop.owner_id)

        def order(name):
            return db.session.scalar(select(Order).where(Order.number == shop.orders[name]))

        fulfilment.mark_processing(order("processing"), owner)
        for name in ("shipped", "settled", "partly_refunded"):
            shipping.ship(order(name), "UPS", "1Z999AA10123456784", owner)
        parcel = order("partially_shipped")
        shipping.ship(parcel, "UPS", "1Z999AA10123456785", owner, {parcel.lines[0].id: 2})
        for name in ("settled", "partly_refunded"):
            fulfilment.settle_demo(order(name))
        fulfilment.refund(order("partly_refunded"), 500, owner, reason="Arrived late")
        fulfilment.cancel(order("cancelled"), owner, reason="Customer asked by phone")
