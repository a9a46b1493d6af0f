"""Orders written straight to the database, in any status and at any moment: for the pages
that read many orders (the dashboard, the sales figures). The checkout tests place theirs
through the real forms (tests/orders/helpers.py)."""

from __future__ import annotations

import itertools
from datetime import datetime

from jomso.database import utcnow
from jomso.extensions import db
from jomso.orders.models import Order, OrderLine, Payment

_numbers = itertools.count(1)
_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ"


def _number() -> str:
    n, body = next(_numbers), ""
    for _ in range(8):
        n, digit = divmod(n, len(_ALPHABET))
        body += _ALPHABET[digit]
    return "J" + body


def make_order(
    app,
    *,
    status: str = "paid",
    created_at: datetime | None = None,
    lines: list[tuple[int | None, int, int]] = ((None, 1, 1000),),
    shipping_cents: int = 0,
    country: str = "US",
    name: str = "Olga Orderer",
    email: str = "olga@example.com",
    refunds: list[tuple[int, datetime, str]] = (),
) -> str:
    """An order with ``lines`` of (product id, quantity, unit price in cents) and ``refunds``
    of (amount, when, Braintree status); returns its number."""
    created_at = created_at or utcnow()
    with app.app_context():
        order_lines = []
        for product_id, quantity, price in lines:
            order_lines.append(
                OrderLine(
                    product_id=product_id,
                    name=f"Product {product_id}",
                    sku=f"SKU-{product_id}",
                    unit_price_cents=price,
                    quantity=quantity,
                    line_total_cents=price * quantity,
                )
            )
        subtotal = sum(line.line_total_cents for line in order_lines)
        address = {
            "name": name,
            "line1": "1 Harbour Road",
            "city": "Portland",
            "country": country,
        }
        order = Order(
            number=_number(),
            status=status,
            email=email,
            phone="+15035550143",
            **{f"billing_{k}": v for k, v in address.items()},
            **{f"shipping_{k}": v for k, v in address.items()},
            currency=app.config["CURRENCY"],
            subtotal_cents=subtotal,
            shipping_cents=shipping_cents,
            total_cents=subtotal + shipping_cents,
            created_at=created_at,
            updated_at=created_at,
            lines=order_lines,
        )
        order.payments.append(
            Payment(
                kind=Payment.SALE,
                transaction_id=f"sale-{order.number}",
                status="settled",
                amount_cents=subtotal + shipping_cents,
                created_at=created_at,
            )
        )
        for i, (amount, when, state) in enumerate(refunds):
            order.payments.append(
                Payment(
                    kind=Payment.REFUND,
                    transaction_id=f"refund-{order.number}-{i}",
                    status=state,
                    amount_cents=amount,
                    created_at=when,
                )
            )
        db.session.add(order)
        db.session.commit()
        return order.number
