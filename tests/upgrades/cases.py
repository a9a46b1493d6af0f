# ruff: noqa: S608 (SQL written out for an old schema, from constants: no input reaches it)
"""The upgrade cases: rows a real shop holds, each set written in SQL for the schema of one
revision, and what must hold of them once the database is migrated to head.

``tests/upgrades/test_upgrades.py`` builds a database the way a shop lived through the
releases: it migrates to the first case's revision and inserts its rows, then to the next
case's revision and inserts those, and so on; then it upgrades to head with the app's own
path (``init_schema``, what ``init-db`` runs) and runs every case's check through the app:
pages, sign-in and the models. It does so on SQLite and on PostgreSQL.

**Every new migration brings its case.** A migration that revises ``R`` adds
``UpgradeCase(revision=R, ...)`` (or extends the one at ``R``): rows written for the schema at
``R`` that the migration must carry over, and a check of what they become at head. The SQL
stays as written, like the migrations: it is the old schema's, not the models'. A migration
that does not touch data still adds a case, with no rows and a ``check`` of what it changes (an
index the pages use, a column's default). ``test_every_migration_since_the_release_has_a_case``
holds every migration after ``CASES_REQUIRED_FROM`` to this.

The SQL is portable (SQLite and PostgreSQL): ids come from the database (rows refer to each
other by subqueries), booleans are ``TRUE``/``FALSE``, times are UTC without a zone, bytes are
bound parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Flask
from sqlalchemy import select

from jomso.extensions import db

# The schema 0.1.0 shipped, and the one on main when these tests began (after the mail queue,
# 0002, and the search prefixes, 0003): every migration revising this or a later revision
# must bring a case.
RELEASE_0_1_0 = "0001"
CASES_REQUIRED_FROM = "0003"

# Tables the shop fills from its other rows when first asked (the sales roll-up, built a day at
# a time by the sales page), or that hold a setting the owner saves once (the seller's details,
# created empty by 0018 and checked empty by its case): empty in a shop the upgrade just made,
# which is what they meet. A later migration that changes one of them takes it off this list.
BUILT_ON_DEMAND = frozenset(
    {"sales_days", "sales_day_products", "sales_day_countries", "sales_months",
     "sales_month_products", "seller_details"}
)  # fmt: skip

PASSWORD = "correct horse battery staple"  # tests.helpers.PASSWORD
# What 0.1.0 stored for PASSWORD: Argon2id with the library's defaults (jomso/accounts/passwords).
PASSWORD_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$Q8mkgFEGxcciKimIGZ7ygQ"
    "$Vok0+ECi9QHlf2s2R35rB5uqdh9HxrWNsT78GSC84vg"
)

Row = str | tuple[str, Mapping[str, Any]]


@dataclass(frozen=True)
class UpgradeCase:
    """Rows written for the schema at ``revision``, and ``check(app, client)`` at head.
    ``row_changes`` says by how much a migration changes a table's row count on purpose (the
    test otherwise holds every table to the rows it had before the upgrade)."""

    revision: str
    name: str
    rows: tuple[Row, ...]
    check: Callable[[Flask, Any], None]
    row_changes: Mapping[str, int] = field(default_factory=dict)


def _id(table: str, where: str) -> str:
    return f"(SELECT id FROM {table} WHERE {where})"


PAT = _id("users", "email = 'pat@example.com'")
OLGA = _id("users", "email = 'olga@staff.example.com'")
BOWL = _id("products", "slug = 'stoneware-bowl'")
TROWEL = _id("products", "slug = 'garden-trowel'")
PAT_ORDER = _id("orders", "number = 'JA7K2M9QX'")
GUEST_ORDER = _id("orders", "number = 'JB3H8N5R2'")
ANNOUNCEMENT = _id("announcements", "subject = 'New in the kitchen'")
KITCHEN = _id("categories", "slug = 'kitchen'")
GARDEN = _id("categories", "slug = 'garden'")
PAT_CART = _id("carts", f"user_id = {PAT}")
PAT_SUBSCRIBER = _id("subscribers", "email = 'pat@example.com'")
OLGA_LABEL = "olga@staff.example.com"
LEE_ENQUIRY = _id("enquiries", "email = 'lee@example.com'")


def _order(number: str, status: str, user: str, email: str, name: str, totals: str) -> str:
    address = f"'{name}', '1 Harbour Road', '', 'Portland', 'OR', '97201', 'US'"
    return (
        "INSERT INTO orders (number, status, user_id, checkout_key, email, phone, billing_name, "
        "billing_line1, billing_line2, billing_city, billing_region, billing_postal_code, "
        "billing_country, shipping_name, shipping_line1, shipping_line2, shipping_city, "
        "shipping_region, shipping_postal_code, shipping_country, currency, subtotal_cents, "
        "shipping_cents, total_cents, carrier, tracking_number, created_at, updated_at, "
        f"anonymized_at) VALUES ('{number}', '{status}', {user}, NULL, '{email}', "
        f"'+15035550143', {address}, {address}, 'USD', {totals}, '', '', '2026-11-20 10:00:00', "
        "'2026-11-21 09:00:00', NULL)"
    )


# -- 0.1.0: a shop as the first release left it (schema 0001) -------------------------------

SHOP_0_1_0: tuple[Row, ...] = (
    # people: a customer with phone, address, policy acceptance and a session; the owner
    "INSERT INTO users (email, password_hash, name, active, email_confirmed_at, pending_email, "
    f"created_at, session_version) VALUES ('pat@example.com', '{PASSWORD_HASH}', 'Pat Buyer', "
    "TRUE, '2026-11-02 08:00:00', NULL, '2026-11-02 07:55:00', 1)",
    "INSERT INTO users (email, password_hash, name, active, email_confirmed_at, pending_email, "
    f"created_at, session_version) VALUES ('olga@staff.example.com', '{PASSWORD_HASH}', "
    "'Olga Owner', TRUE, '2026-11-01 09:00:00', NULL, '2026-11-01 09:00:00', 1)",
    f"INSERT INTO staff_roles (user_id, role) VALUES ({OLGA}, 'owner')",
    "INSERT INTO phones (user_id, number, position, created_at) "
    f"VALUES ({PAT}, '+15035550143', 0, '2026-11-02 08:05:00')",
    "INSERT INTO addresses (user_id, name, line1, line2, city, region, postal_code, country, "
    f"is_default_billing, is_default_shipping, created_at, updated_at) VALUES ({PAT}, "
    "'Pat Buyer', '1 Harbour Road', '', 'Portland', 'OR', '97201', 'US', TRUE, TRUE, "
    "'2026-11-02 08:06:00', '2026-11-02 08:06:00')",
    "INSERT INTO policy_versions (version, body, summary, effective_date, created_at, "
    "created_by) VALUES (1, '# Privacy policy\n\nWe keep what an order needs.', 'First version.', "
    f"'2026-11-01', '2026-11-01 09:10:00', {OLGA})",
    "INSERT INTO policy_acceptances (user_id, policy_version, accepted_at, source) "
    f"VALUES ({PAT}, 1, '2026-11-02 07:55:00', 'registration')",
    "INSERT INTO user_sessions (user_id, token_hash, remember, browser, created_at, expires_at) "
    f"VALUES ({PAT}, '{'a' * 64}', FALSE, 'Firefox 133', '2026-11-20 09:50:00', "
    "'2026-12-04 09:50:00')",
    "INSERT INTO consent_records (created_at, choice, scope, policy_version, ip_hash, user_id, "
    "visitor_id, source) VALUES ('2026-11-02 07:50:00', 'accept', 'analytics', 1, NULL, "
    f"{PAT}, '{'b' * 32}', 'banner')",
    "INSERT INTO consent_records (created_at, choice, scope, policy_version, ip_hash, user_id, "
    "visitor_id, source) VALUES ('2026-11-03 12:00:00', 'decline', 'analytics', 1, NULL, NULL, "
    "NULL, 'gpc')",
    # the catalog: two categories, three products (one no longer on sale), a picture
    "INSERT INTO categories (name, slug, position) VALUES ('Kitchen', 'kitchen', 0)",
    "INSERT INTO categories (name, slug, position) VALUES ('Garden', 'garden', 1)",
    "INSERT INTO products (name, slug, sku, description, price_cents, stock, is_active, "
    "created_at, updated_at, category_id) VALUES ('Stoneware Bowl', 'stoneware-bowl', "
    "'SKU-BOWL', 'A deep bowl, glazed by hand.', 2400, 7, TRUE, '2026-11-01 10:00:00', "
    f"'2026-11-01 10:00:00', {KITCHEN})",
    "INSERT INTO products (name, slug, sku, description, price_cents, stock, is_active, "
    "created_at, updated_at, category_id) VALUES ('Garden Trowel', 'garden-trowel', "
    "'SKU-TROWEL', 'Ash handle, steel blade.', 1550, 12, TRUE, '2026-11-01 10:05:00', "
    f"'2026-11-01 10:05:00', {GARDEN})",
    "INSERT INTO products (name, slug, sku, description, price_cents, stock, is_active, "
    "created_at, updated_at, category_id) VALUES ('Old Jug', 'old-jug', 'SKU-JUG', "
    "'No longer made.', 900, 0, FALSE, '2026-10-01 10:00:00', '2026-11-10 10:00:00', NULL)",
    "INSERT INTO product_images (product_id, key, position, width, height, alt) VALUES "
    f"({BOWL}, '0123456789abcdef0123456789abcdef', 0, 800, 600, 'A blue bowl')",
    # a cart, two orders (the customer's paid one, a guest's shipped one) with their history
    f"INSERT INTO carts (user_id, created_at, updated_at) VALUES ({PAT}, "
    "'2026-11-22 10:00:00', '2026-11-22 10:00:00')",
    "INSERT INTO cart_items (cart_id, product_id, quantity, seen_price_cents, product_name, "
    f"added_at) VALUES ({PAT_CART}, {TROWEL}, 1, 1550, "
    "'Garden Trowel', '2026-11-22 10:00:00')",
    _order("JA7K2M9QX", "paid", PAT, "pat@example.com", "Pat Buyer", "6350, 0, 6350"),
    _order("JB3H8N5R2", "shipped", "NULL", "gus@example.com", "Gus Guest", "1550, 495, 2045"),
    "UPDATE orders SET carrier = 'UPS', tracking_number = '1Z999AA10123456784' "
    "WHERE number = 'JB3H8N5R2'",
    "INSERT INTO order_lines (order_id, product_id, name, sku, unit_price_cents, quantity, "
    f"line_total_cents) VALUES ({PAT_ORDER}, {BOWL}, 'Stoneware Bowl', 'SKU-BOWL', 2400, 2, "
    "4800)",
    "INSERT INTO order_lines (order_id, product_id, name, sku, unit_price_cents, quantity, "
    f"line_total_cents) VALUES ({PAT_ORDER}, {TROWEL}, 'Garden Trowel', 'SKU-TROWEL', 1550, "
    "1, 1550)",
    "INSERT INTO order_lines (order_id, product_id, name, sku, unit_price_cents, quantity, "
    f"line_total_cents) VALUES ({GUEST_ORDER}, {TROWEL}, 'Garden Trowel', 'SKU-TROWEL', 1550, "
    "1, 1550)",
    *(
        "INSERT INTO order_status_changes (order_id, from_status, to_status, actor_id, "
        f"actor_label, note, created_at) VALUES ({order}, {before}, '{after}', NULL, "
        f"'{actor}', '', '{at}')"
        for order, before, after, actor, at in (
            (PAT_ORDER, "NULL", "pending_payment", "customer", "2026-11-20 10:00:00"),
            (PAT_ORDER, "'pending_payment'", "paid", "customer", "2026-11-20 10:00:02"),
            (GUEST_ORDER, "NULL", "pending_payment", "customer", "2026-11-20 10:00:00"),
            (GUEST_ORDER, "'pending_payment'", "paid", "customer", "2026-11-20 10:00:02"),
            (GUEST_ORDER, "'paid'", "processing", "olga@staff.example.com", "2026-11-21 08:00:00"),
            (
                GUEST_ORDER,
                "'processing'",
                "shipped",
                "olga@staff.example.com",
                "2026-11-21 09:00:00",
            ),
        )
    ),
    "INSERT INTO payments (order_id, kind, transaction_id, status, amount_cents, card_brand, "
    f"card_last4, created_at, updated_at) VALUES ({PAT_ORDER}, 'sale', 'txn0001', 'authorized', "
    "6350, 'Visa', '1111', '2026-11-20 10:00:02', '2026-11-20 10:00:02')",
    "INSERT INTO payments (order_id, kind, transaction_id, status, amount_cents, card_brand, "
    f"card_last4, created_at, updated_at) VALUES ({GUEST_ORDER}, 'sale', 'txn0002', "
    "'submitted_for_settlement', 2045, 'MasterCard', '4444', '2026-11-20 10:00:02', "
    "'2026-11-21 09:00:00')",
    "INSERT INTO payment_events (order_id, kind, transaction_id, dispute_id, dispute_status, "
    "dispute_reason, reply_by, amount_cents, occurred_at, received_at) VALUES "
    f"({GUEST_ORDER}, 'transaction_settled', 'txn0002', '', '', '', NULL, 2045, "
    "'2026-11-22 03:00:00', '2026-11-22 03:00:05')",
    # new-product emails: a confirmed subscriber, a pending one, a sent announcement
    "INSERT INTO subscribers (email, status, source, source_product_id, user_id, created_at, "
    "confirmation_sent_at, confirmed_at, unsubscribed_at, confirm_nonce, unsubscribe_key) "
    f"VALUES ('pat@example.com', 'confirmed', 'registration', NULL, {PAT}, "
    "'2026-11-02 07:55:00', '2026-11-02 07:55:01', '2026-11-02 08:00:00', NULL, NULL, "
    f"'{'c' * 32}')",
    "INSERT INTO subscribers (email, status, source, source_product_id, user_id, created_at, "
    "confirmation_sent_at, confirmed_at, unsubscribed_at, confirm_nonce, unsubscribe_key) "
    f"VALUES ('lee@example.com', 'pending', 'footer', NULL, NULL, '2026-11-05 18:00:00', "
    f"'2026-11-05 18:00:01', NULL, NULL, '{'d' * 32}', '{'e' * 32}')",
    "INSERT INTO announcements (created_at, updated_at, author_id, subject, intro, status, "
    "queued_at, finished_at, base_url, recipient_count) VALUES ('2026-11-15 09:00:00', "
    f"'2026-11-15 09:30:00', {OLGA}, 'New in the kitchen', 'Bowls, glazed by hand.', 'sent', "
    "'2026-11-15 09:20:00', '2026-11-15 09:30:00', 'https://shop.example.com/', 1)",
    "INSERT INTO announcement_products (announcement_id, product_id, position, name, slug, "
    f"price_cents, image_key) VALUES ({ANNOUNCEMENT}, {BOWL}, 0, 'Stoneware Bowl', "
    "'stoneware-bowl', 2400, '0123456789abcdef0123456789abcdef')",
    "INSERT INTO announcement_deliveries (announcement_id, subscriber_id, state, attempts, "
    f"claimed_at, sent_at) VALUES ({ANNOUNCEMENT}, "
    f"{PAT_SUBSCRIBER}, 'sent', 1, '2026-11-15 09:25:00', "
    "'2026-11-15 09:25:01')",
    # an enquiry about a product, answered; traffic; the access log
    "INSERT INTO enquiries (created_at, updated_at, status, topic, name, email, phone, "
    "product_id, product_name, order_number, message, user_id, anonymized_at) VALUES "
    "('2026-11-10 14:00:00', '2026-11-10 16:00:00', 'answered', 'product', 'Lee Asker', "
    f"'lee@example.com', NULL, {BOWL}, 'Stoneware Bowl', NULL, 'Is it oven safe?', NULL, NULL)",
    "INSERT INTO enquiry_replies (enquiry_id, created_at, author_id, body) VALUES "
    f"({LEE_ENQUIRY}, '2026-11-10 16:00:00', {OLGA}, "
    "'Yes, up to 250 degrees.')",
    *(
        "INSERT INTO page_views (created_at, path, product_id, status, referrer_host, "
        "browser_family, browser_version, os_family, os_version, consented, visitor_id, ip, "
        f"ip_truncated, user_id) VALUES ('2026-11-20 09:{minute:02d}:00', '{path}', "
        f"{product}, 200, NULL, 'Firefox', '133', 'Linux', NULL, TRUE, '{'b' * 32}', "
        f"'203.0.113.7', FALSE, {PAT})"
        for minute, path, product in (
            (50, "/", "NULL"),
            (51, "/products/stoneware-bowl", BOWL),
            (52, "/products/garden-trowel", TROWEL),
        )
    ),
    "INSERT INTO access_log (created_at, actor_id, actor_label, ip, kind, view, customer_id, "
    f"detail) VALUES ('2026-11-21 08:00:00', {OLGA}, 'olga@staff.example.com', '203.0.113.9', "
    f"'view', 'staff.order_detail', {PAT}, 'order JA7K2M9QX')",
)


def _login(client, email: str) -> Any:
    from tests.helpers import login

    return login(client, email, PASSWORD)


def check_shop_0_1_0(app: Flask, client) -> None:
    """The 0.1.0 shop at head: its rows, its pages, its people signing in."""
    from jomso.accounts.models import User
    from jomso.catalog.models import Product
    from jomso.orders.models import Order

    with app.app_context():
        pat = db.session.scalar(select(User).where(User.email == "pat@example.com"))
        assert (pat.name, pat.active, [p.number for p in pat.phones]) == (
            "Pat Buyer", True, ["+15035550143"])  # fmt: skip
        assert [a.city for a in pat.addresses] == ["Portland"]
        bowl = db.session.scalar(select(Product).where(Product.slug == "stoneware-bowl"))
        assert (bowl.name, bowl.price_cents, bowl.default_variant.stock, bowl.is_active) == (
            "Stoneware Bowl", 2400, 7, True)  # fmt: skip
        assert bowl.category.slug == "kitchen"
        assert [image.key for image in bowl.images] == ["0123456789abcdef0123456789abcdef"]
        order = db.session.scalar(select(Order).where(Order.number == "JA7K2M9QX"))
        assert (order.status, order.total_cents, order.user_id) == ("paid", 6350, pat.id)
        assert [(line.sku, line.quantity) for line in order.lines] == [
            ("SKU-BOWL", 2), ("SKU-TROWEL", 1)]  # fmt: skip
        assert (order.sale.card_brand, order.sale.card_last4) == ("Visa", "1111")
        assert [c.to_status for c in order.changes] == ["pending_payment", "paid"]
        guest = db.session.scalar(select(Order).where(Order.number == "JB3H8N5R2"))
        assert (guest.status, guest.tracking_number, guest.user_id) == (
            "shipped", "1Z999AA10123456784", None)  # fmt: skip

    # the storefront serves the products and finds them; the retired one stays hidden
    page = client.get("/products/stoneware-bowl")
    assert page.status_code == 200 and "Stoneware Bowl" in page.text and "$24.00" in page.text
    assert "Stoneware Bowl" in client.get("/products?q=stoneware").text
    assert "Garden Trowel" in client.get("/products?category=garden").text
    assert client.get("/products/old-jug").status_code == 404

    # the customer signs in with the password 0.1.0 stored and sees their order
    assert _login(client, "pat@example.com").status_code == 302
    assert "JA7K2M9QX" in client.get("/account/orders").text
    # the owner signs in (in another browser) and opens the guest's order
    staff = app.test_client()
    assert _login(staff, "olga@staff.example.com").status_code == 302
    staff_page = staff.get("/staff/orders/JB3H8N5R2")
    assert staff_page.status_code == 200 and "1Z999AA10123456784" in staff_page.text


# -- 0003: the shop before this session's migrations (mail queue, search prefixes) ----------

SHOP_0003: tuple[Row, ...] = (
    "INSERT INTO products (name, slug, sku, description, price_cents, stock, is_active, "
    "created_at, updated_at, category_id) VALUES ('Stonecast Planter', 'stonecast-planter', "
    "'SKU-PLANTER', 'Cast stone, for herbs.', 3200, 4, TRUE, '2026-12-01 10:00:00', "
    f"'2026-12-01 10:00:00', {GARDEN})",
    (
        "INSERT INTO outgoing_mail (created_at, template, to_address, message, state, attempts, "
        "next_attempt_at, claim, claimed_until, sent_at, failed_at, last_error) VALUES "
        "('2026-12-01 10:00:00', 'orders/confirmation', 'pat@example.com', :message, 'sent', 1, "
        "'2026-12-01 10:00:00', NULL, NULL, '2026-12-01 10:00:01', NULL, '')",
        {"message": b"Subject: Your order JA7K2M9QX\r\n\r\nThank you.\r\n"},
    ),
    (
        "INSERT INTO outgoing_mail (created_at, template, to_address, message, state, attempts, "
        "next_attempt_at, claim, claimed_until, sent_at, failed_at, last_error) VALUES "
        "('2026-12-01 11:00:00', 'accounts/password_reset', 'lee@example.com', :message, "
        "'queued', 2, '2026-12-01 11:02:00', NULL, NULL, NULL, NULL, 'SMTPServerDisconnected')",
        {"message": b"Subject: Reset your password\r\n\r\nA link.\r\n"},
    ),
)


def check_shop_0003(app: Flask, client) -> None:
    """The mail queue keeps its messages and their states; the planter is found by a prefix."""
    from jomso.mail import OutgoingMail

    with app.app_context():
        mail = db.session.scalars(
            select(OutgoingMail)
            .where(OutgoingMail.to_address.in_(["pat@example.com", "lee@example.com"]))
            .order_by(OutgoingMail.created_at)
        ).all()
        assert [(m.template, m.state, m.attempts) for m in mail] == [
            ("orders/confirmation", "sent", 1),
            ("accounts/password_reset", "queued", 2),
        ]
        assert mail[0].message.startswith(b"Subject: Your order JA7K2M9QX")
    assert "Stonecast Planter" in client.get("/products?q=planter").text


# -- 0004: privacy requests (before 0005: mail that an erased address is sent, then forgotten) --

SHOP_0004: tuple[Row, ...] = (
    "INSERT INTO privacy_requests (kind, email, details, status, received_at, verified_at, "
    "due_on, extension_reason, outcome, note) VALUES ('access', 'guest@example.com', '', "
    "'open', '2026-12-01 12:00:00', '2026-12-01 12:05:00', '2027-01-01', '', '', '')",
    (
        "INSERT INTO outgoing_mail (created_at, template, to_address, message, state, attempts, "
        "next_attempt_at, claim, claimed_until, sent_at, failed_at, last_error) VALUES "
        "('2026-12-01 12:05:00', 'privacy/request_received', 'guest@example.com', :message, "
        "'queued', 0, '2026-12-01 12:05:00', NULL, NULL, NULL, NULL, '')",
        {"message": b"Subject: Your privacy request\r\n\r\nReceived.\r\n"},
    ),
)


def check_shop_0004(app: Flask, client) -> None:
    """The open request stays in the owner's queue with its deadline; queued mail is ordinary
    mail (kept after sending like any other), not mail to be forgotten."""
    from jomso.mail import OutgoingMail
    from jomso.privacy.models import PrivacyRequest

    with app.app_context():
        request = db.session.scalar(select(PrivacyRequest))
        assert (request.kind, request.status, str(request.due_on)) == (
            "access",
            "open",
            "2027-01-01",
        )
        mail = db.session.scalar(
            select(OutgoingMail).where(OutgoingMail.to_address == "guest@example.com")
        )
        assert mail.state == "queued" and mail.forget_when_sent is False
    owner = app.test_client()
    assert _login(owner, "olga@staff.example.com").status_code == 302
    assert "guest@example.com" in owner.get(f"/staff/privacy-requests/{request.id}").text


# -- 0005: before 0006 (account ids never reused, the GPC signal with each consent choice) ----

SHOP_0005: tuple[Row, ...] = (
    "INSERT INTO users (email, password_hash, name, active, email_confirmed_at, pending_email, "
    f"created_at, session_version) VALUES ('quinn@example.com', '{PASSWORD_HASH}', 'Quinn Last', "
    "TRUE, '2026-12-01 13:00:00', NULL, '2026-12-01 13:00:00', 1)",
    "INSERT INTO consent_records (created_at, choice, scope, policy_version, ip_hash, user_id, "
    "visitor_id, source, subscriber_id) VALUES ('2026-12-01 13:01:00', 'accept', 'analytics', 1, "
    "NULL, NULL, NULL, 'banner', NULL)",
)


def check_shop_0005(app: Flask, client) -> None:
    """Consent choices made before 0006 say no GPC signal; once the newest account is deleted,
    the next one gets a new id (AUTOINCREMENT carried over the table's rebuild)."""
    from jomso.accounts.models import User
    from jomso.consent.models import ConsentRecord

    with app.app_context():
        record = db.session.scalar(
            select(ConsentRecord).where(
                ConsentRecord.choice == "accept", ConsentRecord.user_id.is_(None)
            )
        )
        assert record.source == "banner" and record.gpc is False
        quinn = db.session.scalar(select(User).where(User.email == "quinn@example.com"))
        assert quinn.name == "Quinn Last"
        ids = []
        for email in ("rae@example.com", "sol@example.com"):  # added and deleted in turn
            user = User(email=email, password_hash=PASSWORD_HASH, name="Next")
            db.session.add(user)
            db.session.commit()
            ids.append(user.id)
            db.session.delete(user)
            db.session.commit()
        assert quinn.id < ids[0] < ids[1]  # the deleted id was not given again


# -- 0006: before 0007 (PostgreSQL's stored search column; the revision raised at commit) ----

SHOP_0006: tuple[Row, ...] = (
    "INSERT INTO products (name, slug, sku, description, price_cents, stock, is_active, "
    "created_at, updated_at, category_id) VALUES ('Crème Lantern', 'creme-lantern', "
    "'SKU-LANTERN', 'Driftwood frame, for the porch.', 4100, 3, TRUE, '2026-12-01 14:00:00', "
    f"'2026-12-01 14:00:00', {GARDEN})",
)


def check_shop_0006(app: Flask, client) -> None:
    """A product written before 0007 is found by a word's beginning and without its accents,
    on either database; changing it raises the catalog revision once."""
    from jomso.catalog.models import Product, ProductVariant
    from jomso.catalog.page_cache import catalog_revision

    assert "Crème Lantern" in client.get("/products?q=driftw").text
    assert "Crème Lantern" in client.get("/products?q=creme").text
    with app.app_context():
        before = catalog_revision()
        lantern = db.session.scalar(
            select(Product).join(Product.variants).where(ProductVariant.sku == "SKU-LANTERN")
        )
        lantern.price_cents = 3900
        db.session.commit()
        assert catalog_revision() == before + 1


# -- 0007: before 0008 (order lines count the units put back in stock) --------------------

CANCELLED_ORDER = _id("orders", "number = 'JC4K9P2LW'")
FAILED_ORDER = _id("orders", "number = 'JD6M3T8VX'")

SHOP_0007: tuple[Row, ...] = (
    _order("JC4K9P2LW", "cancelled", PAT, "pat@example.com", "Pat Buyer", "4800, 495, 5295"),
    _order("JD6M3T8VX", "payment_failed", "NULL", "vic@example.com", "Vic Guest", "1550, 0, 1550"),
    "INSERT INTO order_lines (order_id, product_id, name, sku, unit_price_cents, quantity, "
    f"line_total_cents) VALUES ({CANCELLED_ORDER}, {BOWL}, 'Stoneware Bowl', 'SKU-BOWL', 2400, "
    "2, 4800)",
    "INSERT INTO order_lines (order_id, product_id, name, sku, unit_price_cents, quantity, "
    f"line_total_cents) VALUES ({FAILED_ORDER}, {TROWEL}, 'Garden Trowel', 'SKU-TROWEL', 1550, "
    "1, 1550)",
    "INSERT INTO order_status_changes (order_id, from_status, to_status, actor_id, actor_label, "
    f"note, created_at) VALUES ({CANCELLED_ORDER}, 'paid', 'cancelled', {OLGA}, '{OLGA_LABEL}', "
    "'', '2026-12-01 15:00:00')",
)


def check_shop_0007(app: Flask, client) -> None:
    """The units of an order cancelled before shipping, and of a failed payment, count as back
    in stock already; a paid or shipped order's lines have none back."""
    from jomso.orders.models import Order

    with app.app_context():
        restocked = {
            order.number: [line.restocked_quantity for line in order.lines]
            for order in db.session.scalars(select(Order))
        }
    assert restocked["JC4K9P2LW"] == [2] and restocked["JD6M3T8VX"] == [1]
    assert restocked["JA7K2M9QX"] == [0, 0] and restocked["JB3H8N5R2"] == [0]


# -- 0008: before 0009 (the daily sales roll-up the sales page reads) -----------------------


def check_sales_rollup(app: Flask, client) -> None:
    """0009 (sales roll-up): the roll-up starts empty and the orders placed before it show on
    the sales page and the dashboard; the indexes the figures read by are there."""
    from sqlalchemy import inspect

    from jomso.sales.models import SalesDay

    with app.app_context():
        indexes = {
            table: {index["name"] for index in inspect(db.engine).get_indexes(table)}
            for table in ("payments", "products", "page_views")
        }
    assert "ix_payments_kind_created" in indexes["payments"]
    assert "ix_products_active_stock_total" in indexes["products"]  # (0012 renamed it)
    assert "ix_page_views_visits" in indexes["page_views"]
    owner = app.test_client()
    assert _login(owner, "olga@staff.example.com").status_code == 302
    page = owner.get("/staff/sales?start=2026-11-20&end=2026-11-20").text
    assert '<p class="stat-value">$83.95</p>' in page  # the paid and the shipped order
    assert "0 of 1 visits opened an order" in page  # Pat's consented page views that day
    with app.app_context():
        assert db.session.get(SalesDay, date(2026, 11, 20)).orders == 2
    assert "JA7K2M9QX" in owner.get("/staff/").text.split('data-card="orders_to_ship"')[1]


# -- 0009: before 0010 (order notes; the words the staff search finds an order by) -----------

DESK = _id("users", "email = 'desk@staff.example.com'")

SHOP_0009: tuple[Row, ...] = (
    _order("JE8R2W4NZ", "paid", "NULL", "hal@example.com", "Hal Shipper", "1550, 0, 1550"),
    "UPDATE orders SET billing_name = 'Ivy Payer', created_at = '2026-12-01 16:00:00' "
    "WHERE number = 'JE8R2W4NZ'",
    "INSERT INTO users (email, password_hash, name, active, email_confirmed_at, pending_email, "
    f"created_at, session_version) VALUES ('desk@staff.example.com', '{PASSWORD_HASH}', "
    "'Desk Person', TRUE, '2026-12-01 16:00:00', NULL, '2026-12-01 16:00:00', 1)",
    f"INSERT INTO staff_roles (user_id, role) VALUES ({DESK}, 'orders')",
)


def check_order_tools(app: Flask, client) -> None:
    """0010 (order tools): the orders already there are found by the staff search (their
    terms computed by the migration), each word with its kind: the orders role finds an order
    by its shipping name and SKUs, the owner by its email and billing name too."""
    from jomso.orders.models import Order, OrderSearchTerm

    with app.app_context():
        terms = {}
        for number in ("JB3H8N5R2", "JE8R2W4NZ"):
            order = db.session.scalar(select(Order).where(Order.number == number))
            terms[number] = dict(
                db.session.execute(
                    select(OrderSearchTerm.term, OrderSearchTerm.kind).where(
                        OrderSearchTerm.order_id == order.id
                    )
                ).all()
            )
    assert terms["JB3H8N5R2"] == {
        "gus": "order", "guest": "order", "gusexamplecom": "customer", "skutrowel": "order"
    }  # fmt: skip
    assert terms["JE8R2W4NZ"] == {
        "hal": "order", "shipper": "order", "ivy": "customer", "payer": "customer",
        "halexamplecom": "customer",
    }  # fmt: skip
    owner = app.test_client()
    assert _login(owner, "olga@staff.example.com").status_code == 302
    assert "JB3H8N5R2" in owner.get("/staff/orders?q=guest").text
    found = owner.get("/staff/orders?q=sku-bowl").text
    assert "JA7K2M9QX" in found and "JB3H8N5R2" not in found
    assert "JE8R2W4NZ" in owner.get("/staff/orders?q=ivy").text
    desk = app.test_client()
    assert _login(desk, "desk@staff.example.com").status_code == 302
    assert "JE8R2W4NZ" in desk.get("/staff/orders?q=shipper").text
    for hidden in ("ivy", "hal@example"):
        assert "JE8R2W4NZ" not in desk.get(f"/staff/orders?q={hidden}").text


# -- 0010: before 0011 (the content pages' versions) ------------------------------------------

HAL_ORDER = _id("orders", "number = 'JE8R2W4NZ'")

SHOP_0010: tuple[Row, ...] = (
    "INSERT INTO order_notes (order_id, author_id, author_label, body, created_at) VALUES "
    f"({HAL_ORDER}, {DESK}, 'desk@staff.example.com', "
    "'Gift wrap, please.', '2026-12-01 17:00:00')",
)


def check_content_pages(app: Flask, client) -> None:
    """0011 (content pages): the table starts empty, so no page shows and the footer links to
    none (but the imprint, published before 0012's case); the owner publishes one and visitors
    read it. The order notes written before stay."""
    from jomso.pages.models import PageVersion
    from tests.conftest import csrf_token_from

    with app.app_context():  # the imprint is the 0011 case's (SHOP_0011)
        assert db.session.scalars(select(PageVersion.page)).all() == ["imprint"]
    assert client.get("/pages/about").status_code == 404
    assert "/pages/about" not in client.get("/").text.split('class="site-footer"')[1]
    owner = app.test_client()
    assert _login(owner, "olga@staff.example.com").status_code == 302
    assert "not published yet" in owner.get("/staff/pages").text
    page = owner.get("/staff/pages/about").text
    token = csrf_token_from(page)
    form = {"csrf_token": token, "base_version": "0", "body": "We make bowls.", "summary": "Hi."}
    response = owner.post("/staff/pages/about", data={**form, "action": "publish"})
    assert response.status_code == 302
    assert "We make bowls." in client.get("/pages/about").text
    assert '<a href="/pages/about">' in client.get("/").text
    assert "Gift wrap, please." in owner.get("/staff/orders/JE8R2W4NZ").text


# -- 0011: before 0012 (the words of the names, for search's "did you mean") -----------------


SHOP_0011: tuple[Row, ...] = (
    # the owner published the imprint before 0012
    "INSERT INTO page_versions (page, version, body, summary, created_at, created_by) VALUES "
    f"('imprint', 1, 'Jomso Ceramics, 4 Kiln Lane.', 'First version.', '2026-12-01 23:00:00', "
    f"{OLGA})",
)


def check_search_words(app: Flask, client) -> None:
    """0012 (search words): the words of the names of the products on sale are counted (the
    earlier cases' products: "Crème Lantern" folded, the hidden "Old Jug" left out), so that a
    mistyped search shows the corrected one's results; a rename moves them."""
    from jomso.catalog.models import Product, ProductVariant, SearchWord

    with app.app_context():
        words = dict(db.session.execute(select(SearchWord.word, SearchWord.products)).all())
    assert words["stoneware"] == 1 and words["lantern"] == 1 and words["creme"] == 1
    assert "jug" not in words and "old" not in words
    page = client.get("/products?q=lantren").text
    assert "Showing results for" in page and "Crème Lantern" in page
    with app.app_context():
        lantern = db.session.scalar(
            select(Product).join(ProductVariant).where(ProductVariant.sku == "SKU-LANTERN")
        )
        lantern.name = "Crème Lamp"
        db.session.commit()
        words = dict(db.session.execute(select(SearchWord.word, SearchWord.products)).all())
    assert "lantern" not in words and words["lamp"] == 1
    assert "4 Kiln Lane" in client.get("/pages/imprint").text  # the page published at 0011


# -- 0012: before 0013 (the language an order was placed in) -----------------------------------


def check_order_language(app: Flask, client) -> None:
    """0013 (order language): the orders already there have none, so their emails go out in
    the shop's default language (English here), even when a German page sends them."""
    from jomso.orders import emails
    from jomso.orders.models import Order
    from tests.mailbox import last_message

    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == "JE8R2W4NZ"))
        assert order.language == ""
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        order = db.session.scalar(select(Order).where(Order.number == "JE8R2W4NZ"))
        emails.send_shipped(order)
        db.session.commit()
    assert last_message(app, "hal@example.com")["Subject"] == "Your order JE8R2W4NZ is on its way"
    home = client.get("/", headers={"Accept-Language": "de"}).text
    assert '<html lang="de">' in home and '<a href="/pages/imprint">' in home


# -- 0013: before 0014 (shipping zones and methods) -------------------------------------------


def check_shipping_zones(app: Flask, client) -> None:
    """0014 (shipping zones): the shop keeps its one rate, now as the zone "Everywhere" with
    "Standard shipping" ($4.95, free from $50: the old defaults, as no setting was changed);
    the orders placed before keep their shipping price and have no method name."""
    from jomso.orders.models import Order
    from jomso.shipping.models import ShippingZone

    with app.app_context():
        zones = db.session.scalars(select(ShippingZone)).all()
        assert [(z.name, [a.code for a in z.areas]) for z in zones] == [("Everywhere", ["*"])]
        method = zones[0].methods[0]
        assert (method.name, method.kind, method.price_cents, method.free_from_cents) == (
            "Standard shipping", "free_above", 495, 5000
        )  # fmt: skip
        old = db.session.scalars(select(Order)).all()
        assert old and all(o.shipping_method_name == "" for o in old)
    owner = app.test_client()
    assert _login(owner, "olga@staff.example.com").status_code == 302
    assert "Standard shipping" in owner.get("/staff/shipping").text


# -- 0014: before 0015 (variants: SKU and stock move to one variant per product) -------------


def check_variants(app: Flask, client) -> None:
    """0015 (variants): every product has one variant with its SKU and stock (the retired one
    too), and the summary columns the lists read; Pat's cart line is the trowel's variant and
    still sells; order lines name their variant; the search finds a product by its SKU."""
    from jomso.cart.models import CartItem
    from jomso.catalog.models import Product
    from jomso.orders.models import Order

    with app.app_context():
        products = {p.slug: p for p in db.session.scalars(select(Product))}
        skus = {
            slug: [(v.sku, v.stock, v.title) for v in p.variants] for slug, p in products.items()
        }
        assert skus["stoneware-bowl"] == [("SKU-BOWL", 7, "")]
        assert skus["old-jug"] == [("SKU-JUG", 0, "")]
        bowl = products["stoneware-bowl"]
        assert (bowl.price_min_cents, bowl.price_max_cents, bowl.variant_text) == (
            2400, 2400, "SKU-BOWL")  # fmt: skip
        assert bowl.stock_total == 7 and not bowl.on_sale
        item = db.session.scalar(select(CartItem))
        assert item.variant.sku == "SKU-TROWEL"
        order = db.session.scalar(select(Order).where(Order.number == "JA7K2M9QX"))
        sku_of = {v.id: v.sku for p in products.values() for v in p.variants}
        assert [(sku_of[line.variant_id], line.variant_title) for line in order.lines] == [
            ("SKU-BOWL", ""), ("SKU-TROWEL", "")]  # fmt: skip
    assert "Stoneware Bowl" in client.get("/products?q=SKU-BOWL").text
    shopper = app.test_client()
    assert _login(shopper, "pat@example.com").status_code == 302
    assert "Garden Trowel" in shopper.get("/cart").text
    assert "$24.00" in client.get("/products/stoneware-bowl").text


# -- 0015: before 0016 (shipments: an order's parcels) ----------------------------------------


def check_shipments(app: Flask, client) -> None:
    """0016 (shipments): the order shipped before has one parcel holding all its units, with
    the carrier, tracking number, time and person of its "shipped" step; the paid one has none
    and offers a quantity for each of its lines; the payments already kept have no parent."""
    from jomso.orders.models import Order, Payment

    with app.app_context():
        shipped = db.session.scalar(select(Order).where(Order.number == "JB3H8N5R2"))
        [parcel] = shipped.shipments
        assert (parcel.carrier, parcel.tracking_number) == ("UPS", "1Z999AA10123456784")
        assert parcel.actor_label == "olga@staff.example.com"
        assert parcel.amount_cents == shipped.total_cents
        assert [(p.line.sku, p.quantity) for p in parcel.lines] == [("SKU-TROWEL", 1)]
        assert shipped.units_left() == {}
        paid = db.session.scalar(select(Order).where(Order.number == "JA7K2M9QX"))
        assert paid.shipments == [] and sum(paid.units_left().values()) == 3
        lines = [line.id for line in paid.lines]
        assert {p.parent_transaction_id for p in db.session.scalars(select(Payment))} == {""}
    owner = app.test_client()
    assert _login(owner, "olga@staff.example.com").status_code == 302
    page = owner.get("/staff/orders/JA7K2M9QX").text
    assert all(f'name="ship_{line_id}"' in page for line_id in lines)
    slip = owner.get("/staff/orders/JB3H8N5R2").text
    assert "Parcel 1" in slip and "Garden Trowel" in slip


# -- 0016: before 0017 (the catalog revision moves only on changes a page shows) ------------

SHOP_0016: tuple[Row, ...] = (
    "INSERT INTO products (name, slug, description, price_cents, is_active, created_at, "
    "updated_at, price_min_cents, price_max_cents, stock_total, on_sale, variant_text) VALUES "
    "('Tea Bowl', 'tea-bowl', 'A small bowl for tea.', 1800, TRUE, '2026-12-01 09:00:00', "
    "'2026-12-01 09:00:00', 1800, 1800, 50, FALSE, 'SKU-TEA')",
    'INSERT INTO product_options (product_id, position, name, "values") VALUES '
    "((SELECT id FROM products WHERE slug = 'tea-bowl'), 1, 'Glaze', '[\"Celadon\"]')",
    "INSERT INTO product_variants (product_id, position, sku, option1, price_cents, stock, "
    "weight_grams, barcode, is_active) VALUES ((SELECT id FROM products WHERE slug = "
    "'tea-bowl'), 0, 'SKU-TEA', 'Celadon', NULL, 50, 0, '', TRUE)",
)


def check_revision_on_shown_changes(app: Flask, client) -> None:
    """0017 (revision on shown changes): units taken above "only N left" leave the catalog
    revision (and so every cached page) alone; selling out, reaching "only N left" or a new
    price raise it, and the pages show it."""
    from sqlalchemy import text

    from jomso.catalog.page_cache import catalog_revision

    def revision_after(*statements: str) -> int:
        with app.app_context():
            for statement in statements:
                db.session.execute(text(statement))
            db.session.commit()
            return catalog_revision()

    assert "In stock" in client.get("/products/tea-bowl").text
    start = revision_after()
    taken = (
        "UPDATE product_variants SET stock = stock - 1 WHERE sku = 'SKU-TEA'",
        "UPDATE products SET stock_total = stock_total - 1, updated_at = CURRENT_TIMESTAMP "
        "WHERE slug = 'tea-bowl'",
    )
    assert revision_after(*taken) == start
    low = (
        "UPDATE product_variants SET stock = 5 WHERE sku = 'SKU-TEA'",
        "UPDATE products SET stock_total = 5 WHERE slug = 'tea-bowl'",
    )
    assert revision_after(*low) != start
    assert "Only 5 left" in client.get("/products/tea-bowl").text
    before = revision_after()
    assert revision_after("UPDATE products SET price_min_cents = 1900 WHERE slug = 'tea-bowl'") != (
        before
    )
    assert "$19.00" in client.get("/products?q=tea").text


# -- 0017: before 0018 (staff new-order emails, the seller's details) ------------------------

SHOP_0017: tuple[Row, ...] = (
    "INSERT INTO users (email, password_hash, name, active, email_confirmed_at, pending_email, "
    f"created_at, session_version) VALUES ('dora@staff.example.com', '{PASSWORD_HASH}', "
    "'Dora Desk', TRUE, '2026-12-01 09:00:00', NULL, '2026-12-01 09:00:00', 1)",
    "INSERT INTO staff_roles (user_id, role) VALUES "
    "((SELECT id FROM users WHERE email = 'dora@staff.example.com'), 'orders')",
)


def check_staff_emails_and_seller(app: Flask, client) -> None:
    """0018 (staff order emails, seller details): every account had the new-order email off
    and keeps it so until its holder switches it on; no seller's details are saved, and the
    owner's checklist asks for them."""
    from jomso.accounts.models import User
    from jomso.invoices.seller import get_seller_details
    from tests.conftest import csrf_token_from

    with app.app_context():
        assert not any(db.session.scalars(select(User.notify_new_orders)))
        assert get_seller_details() is None
    desk = app.test_client()
    assert _login(desk, "dora@staff.example.com").status_code == 302
    page = desk.get("/staff/notifications")
    assert page.status_code == 200
    token = csrf_token_from(page.text)
    desk.post("/staff/notifications", data={"csrf_token": token, "new_orders": "y"})
    with app.app_context():
        dora = db.session.scalar(select(User).where(User.email == "dora@staff.example.com"))
        assert dora.notify_new_orders
    owner = app.test_client()
    assert _login(owner, "olga@staff.example.com").status_code == 302
    assert (
        "Invoices need the shop&#39;s legal name and postal address." in owner.get("/staff/").text
    )
    assert owner.get("/staff/seller").status_code == 200


# -- 0018: before 0019 (discount codes) -----------------------------------------------------

TEA_ORDER = "JD7K2M9QX"
TEA_ORDER_ID = _id("orders", f"number = '{TEA_ORDER}'")
SHOP_0018: tuple[Row, ...] = (
    _order(TEA_ORDER, "delivered", "NULL", "dee@example.com", "Dee Guest", "3600, 495, 4095"),
    # a day of its own: the sales checks of earlier cases count the days they wrote
    "UPDATE orders SET created_at = '2026-12-02 08:00:00', updated_at = '2026-12-02 08:00:00' "
    f"WHERE number = '{TEA_ORDER}'",
    "INSERT INTO order_lines (order_id, product_id, variant_id, name, variant_title, sku, "
    "unit_price_cents, quantity, line_total_cents, restocked_quantity) VALUES "
    f"({TEA_ORDER_ID}, "
    "(SELECT id FROM products WHERE slug = 'tea-bowl'), "
    "(SELECT id FROM product_variants WHERE sku = 'SKU-TEA'), 'Tea Bowl', 'Celadon', 'SKU-TEA', "
    "1800, 2, 3600, 0)",
    "INSERT INTO carts (user_id, created_at, updated_at) VALUES "
    "(NULL, '2026-12-01 10:00:00', '2026-12-01 10:00:00')",
    "INSERT INTO cart_items (cart_id, variant_id, quantity, seen_price_cents, product_name, "
    "added_at) VALUES ((SELECT max(id) FROM carts WHERE user_id IS NULL), "
    "(SELECT id FROM product_variants WHERE sku = 'SKU-TEA'), 1, 1800, 'Tea Bowl (Celadon)', "
    "'2026-12-01 10:00:00')",
)


def check_discount_codes(app: Flask, client) -> None:
    """0019 (discount codes): an order placed before has no discount (its lines no share, its
    total unchanged) and its staff page no discount line; a cart kept from before has no code,
    and a code made now applies to it."""
    from jomso.cart.models import Cart
    from jomso.discounts.codes import lookup_key
    from jomso.discounts.models import DiscountCode
    from jomso.orders.models import Order

    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == TEA_ORDER))
        assert (order.discount_code, order.discount_cents, order.discount_code_id) == ("", 0, None)
        assert order.shipping_discount_cents == 0 and order.total_cents == 4095
        assert [line.discount_cents for line in order.lines] == [0]
        assert order.lines[0].paid_cents == 3600
        assert {cart.discount_code for cart in db.session.scalars(select(Cart))} == {None}
        db.session.add(
            DiscountCode(code="TEA10", lookup_key=lookup_key("TEA10"), kind="percent", value=10)
        )
        db.session.commit()
    owner = app.test_client()
    assert _login(owner, "olga@staff.example.com").status_code == 302
    page = owner.get(f"/staff/orders/{TEA_ORDER}").text
    assert "Tea Bowl" in page and "Discount (" not in page
    assert "TEA10" in owner.get("/staff/discounts").text


# -- 0019: before 0020 (the price sorts follow the lowest variant price) ----------------------

SHOP_0019: tuple[Row, ...] = (
    *(
        "INSERT INTO products (name, slug, description, price_cents, is_active, created_at, "
        "updated_at, price_min_cents, price_max_cents, stock_total, on_sale, variant_text) VALUES "
        f"('{name}', '{slug}', '', {price}, TRUE, '2026-12-01 10:00:00', '2026-12-01 10:00:00', "
        f"{lowest}, {lowest + 500}, 3, FALSE, '{slug.upper()}')"
        for name, slug, price, lowest in (
            # its default price is the highest, but its variants sell from the lowest
            ("Linen Apron", "linen-apron", 9900, 1500),
            ("Wool Throw", "wool-throw", 2000, 4000),
        )
    ),
    # a code limited to a category and a product, so that later migrations meet one
    "INSERT INTO discount_codes (code, lookup_key, kind, value, min_subtotal_cents, starts_on, "
    "ends_on, usage_limit, per_customer_limit, is_active, created_at, updated_at) VALUES "
    "('SPRING5', 'SPRING5', 'amount', 500, 2000, '2026-03-01', '2026-05-31', 100, 1, TRUE, "
    "'2026-12-01 10:00:00', '2026-12-01 10:00:00')",
    "INSERT INTO discount_code_categories (discount_code_id, category_id) VALUES ("
    "(SELECT id FROM discount_codes WHERE code = 'SPRING5'), (SELECT min(id) FROM categories))",
    "INSERT INTO discount_code_products (discount_code_id, product_id) VALUES ("
    "(SELECT id FROM discount_codes WHERE code = 'SPRING5'), "
    "(SELECT id FROM products WHERE slug = 'linen-apron'))",
)


def check_price_sort_indexes(app: Flask, client) -> None:
    """0020 (price sort indexes): the price sorts follow the lowest variant price, what the
    cards show, from the new indexes."""
    from sqlalchemy import inspect

    with app.app_context():
        names = {index["name"] for index in inspect(db.engine).get_indexes("products")}
    assert {"ix_products_active_price_min", "ix_products_category_active_price_min"} <= names
    assert "ix_products_active_price" not in names
    page = client.get("/products?sort=price_asc").text
    assert page.index("Linen Apron") < page.index("Wool Throw")
    page = client.get("/products?sort=price_desc").text
    assert page.index("Wool Throw") < page.index("Linen Apron")
    owner = app.test_client()
    assert _login(owner, "olga@staff.example.com").status_code == 302
    assert "SPRING5" in owner.get("/staff/discounts").text


# -- 0020: before 0021 (stock alerts) ---------------------------------------------------------

SHOP_0020: tuple[Row, ...] = (
    "INSERT INTO products (name, slug, description, price_cents, is_active, created_at, "
    "updated_at, price_min_cents, price_max_cents, stock_total, on_sale, variant_text) VALUES "
    "('Sea Cup', 'sea-cup', 'A cup.', 1500, TRUE, '2026-12-01 09:00:00', "
    "'2026-12-01 09:00:00', 1500, 1500, 2, FALSE, 'SKU-SEA')",
    "INSERT INTO product_variants (product_id, position, sku, price_cents, stock, "
    "weight_grams, barcode, is_active) VALUES ((SELECT id FROM products WHERE slug = "
    "'sea-cup'), 0, 'SKU-SEA', NULL, 2, 0, '', TRUE)",
)


def check_stock_alerts(app: Flask, client) -> None:
    """0021 (stock alerts): products keep the shop's threshold (no override), no variant was
    named in an email yet, so the low one waits for the first; the catalog revision and search
    triggers still follow the tables the columns were added to."""
    from sqlalchemy import text

    from jomso.catalog.models import Product, ProductVariant
    from jomso.catalog.page_cache import catalog_revision

    with app.app_context():
        product = db.session.scalar(select(Product).where(Product.slug == "sea-cup"))
        assert product.low_stock_threshold is None
        variant = db.session.scalar(select(ProductVariant).where(ProductVariant.sku == "SKU-SEA"))
        assert variant.low_stock_alerted_at is None
        before = catalog_revision()
        db.session.execute(text("UPDATE product_variants SET stock = 0 WHERE sku = 'SKU-SEA'"))
        db.session.execute(text("UPDATE products SET name = 'Sea Mug' WHERE slug = 'sea-cup'"))
        db.session.commit()
        assert catalog_revision() != before
    result = app.test_cli_runner().invoke(args=["stock-alerts"])
    assert "Low-stock email sent" in result.output, result.output  # the shop's staff hold one
    with app.app_context():
        variant = db.session.scalar(select(ProductVariant).where(ProductVariant.sku == "SKU-SEA"))
        assert variant.low_stock_alerted_at is not None
    assert "Sea Mug" in client.get("/products?q=mug").text


# -- 0021: before 0022 (taxes) -----------------------------------------------------------------

SHOP_0021: tuple[Row, ...] = (
    # the low-stock email last went out long ago, so the next is due (check_stock_alerts)
    "INSERT INTO stock_alert_mailings (sent_at, variants, recipients) VALUES "
    "('2026-01-05 07:30:00', 2, 1)",
    "INSERT INTO restock_requests (variant_id, email, user_id, nonce, language, created_at, "
    "confirmed_at) VALUES ((SELECT id FROM product_variants WHERE sku = 'SKU-TEA'), "
    "'wren@example.com', NULL, 'a1b2c3d4e5f6a7b8', 'en', '2026-12-01 11:00:00', "
    "'2026-12-01 11:05:00')",
)


def check_taxes(app: Flask, client) -> None:
    """0022 (taxes): the shop charges what it charged: prices without tax and no rate, so no
    order gains a tax; the three classes exist, every product is standard and its variants
    follow it; orders placed before hold no tax and keep their totals."""
    from jomso.catalog.models import Product, ProductVariant
    from jomso.orders.models import Order
    from jomso.taxes.models import TaxClass, TaxRate, TaxSettings

    with app.app_context():
        settings = db.session.get(TaxSettings, 1)
        assert (settings.prices_include_tax, settings.shipping_rule) == (False, "proportional")
        codes = db.session.scalars(select(TaxClass.code).order_by(TaxClass.position)).all()
        assert codes == ["standard", "reduced", "zero"]
        # no rate made by 0022 (the next case adds California's, as an owner would)
        assert db.session.scalars(select(TaxRate).where(TaxRate.region != "CA")).all() == []
        assert set(db.session.scalars(select(Product.tax_class))) == {"standard"}
        assert set(db.session.scalars(select(ProductVariant.tax_class))) == {""}
        pat = db.session.scalar(select(Order).where(Order.number == "JA7K2M9QX"))
        assert (pat.total_cents, pat.tax_cents, pat.prices_include_tax) == (6350, 0, False)
        assert pat.tax_lines == [] and all(line.tax_cents == 0 for line in pat.lines)
    owner = app.test_client()
    assert _login(owner, "olga@staff.example.com").status_code == 302
    page = owner.get("/staff/taxes")
    assert page.status_code == 200 and "Standard" in page.text
    detail = owner.get("/staff/orders/JA7K2M9QX").text
    assert "$63.50" in detail and "Tax " not in detail


# -- 0022: before 0023 (invoices) -------------------------------------------------------------

TAX_ORDER = "JE8K3M0QX"
TAX_ORDER_ID = _id("orders", f"number = '{TAX_ORDER}'")
SHOP_0022: tuple[Row, ...] = (
    # the owner's California rate, and an order that paid it, before invoices existed
    "INSERT INTO tax_rates (tax_class_id, country, region, percent_thousandths) VALUES "
    "((SELECT id FROM tax_classes WHERE code = 'standard'), 'US', 'CA', 7250)",
    _order(TAX_ORDER, "paid", "NULL", "cal@example.com", "Cal Buyer", "2000, 500, 2645"),
    # a day of its own: the sales checks of earlier cases count the days they wrote
    "UPDATE orders SET created_at = '2026-12-03 08:00:00', updated_at = '2026-12-03 08:00:00', "
    f"tax_cents = 145, shipping_tax_cents = 0, prices_include_tax = FALSE WHERE number = "
    f"'{TAX_ORDER}'",
    "INSERT INTO order_lines (order_id, product_id, name, sku, unit_price_cents, quantity, "
    "line_total_cents, tax_class, tax_percent_thousandths, tax_cents) VALUES "
    f"({TAX_ORDER_ID}, {BOWL}, 'Stoneware Bowl', 'SKU-BOWL', 2000, 1, 2000, 'standard', 7250, "
    "145)",
    "INSERT INTO order_tax_lines (order_id, tax_class, class_name, percent_thousandths, "
    f"base_cents, tax_cents) VALUES ({TAX_ORDER_ID}, 'standard', 'Standard', 7250, 2000, 145)",
)


def check_invoices(app: Flask, client) -> None:
    """0023 (invoices): orders paid before have no invoice (their numbers would not follow
    the order of payment) and their pages stay as they were; the first invoice of the year
    is number 1."""
    from jomso.invoices import numbering
    from jomso.invoices.models import CreditNote, Invoice
    from jomso.orders.models import Order

    with app.app_context():
        assert db.session.scalars(select(Invoice)).all() == []
        assert db.session.scalars(select(CreditNote)).all() == []
        order = db.session.scalar(select(Order).where(Order.number == TAX_ORDER))
        assert order.invoice is None and order.tax_lines[0].tax_cents == 145
        assert numbering.take_next(numbering.INVOICE, 2026) == 1
        db.session.rollback()
    owner = app.test_client()
    assert _login(owner, "olga@staff.example.com").status_code == 302
    detail = owner.get(f"/staff/orders/{TAX_ORDER}")
    assert detail.status_code == 200 and "$26.45" in detail.text
    assert f"/staff/orders/{TAX_ORDER}/invoice" not in detail.text
    assert owner.get(f"/staff/orders/{TAX_ORDER}/invoice").status_code == 404


CASES: tuple[UpgradeCase, ...] = (
    UpgradeCase(RELEASE_0_1_0, "a 0.1.0 shop", SHOP_0_1_0, check_shop_0_1_0),
    UpgradeCase("0003", "a shop before this session's migrations", SHOP_0003, check_shop_0003),
    UpgradeCase("0004", "a shop with privacy requests", SHOP_0004, check_shop_0004),
    UpgradeCase("0005", "a shop before ids were kept unique", SHOP_0005, check_shop_0005),
    UpgradeCase("0006", "a shop before PostgreSQL's search column", SHOP_0006, check_shop_0006),
    UpgradeCase("0007", "a shop before restocked units were counted", SHOP_0007, check_shop_0007),
    UpgradeCase("0008", "a shop before the sales roll-up", (), check_sales_rollup),
    UpgradeCase("0009", "a shop before the order tools", SHOP_0009, check_order_tools),
    UpgradeCase("0010", "a shop before the content pages", SHOP_0010, check_content_pages),
    UpgradeCase("0011", "a shop before the search words", SHOP_0011, check_search_words),
    UpgradeCase("0012", "a shop before orders kept their language", (), check_order_language),
    UpgradeCase("0013", "a shop before shipping zones", (), check_shipping_zones),
    UpgradeCase("0014", "a shop before variants", (), check_variants),
    UpgradeCase("0015", "a shop before shipments", (), check_shipments),
    UpgradeCase(
        "0016",
        "a shop before the revision followed shown changes",
        SHOP_0016,
        check_revision_on_shown_changes,
    ),
    UpgradeCase(
        "0017",
        "a shop before staff new-order emails and the seller's details",
        SHOP_0017,
        check_staff_emails_and_seller,
    ),
    UpgradeCase("0018", "a shop before discount codes", SHOP_0018, check_discount_codes),
    UpgradeCase(
        "0019",
        "a shop before the price sorts followed the variants",
        SHOP_0019,
        check_price_sort_indexes,
    ),
    UpgradeCase("0020", "a shop before stock alerts", SHOP_0020, check_stock_alerts),
    UpgradeCase("0021", "a shop before taxes", SHOP_0021, check_taxes),
    UpgradeCase("0022", "a shop before invoices", SHOP_0022, check_invoices),
)
