"""A short first version of each content page for the demo shop (``flask --app app demo``).

Like the demo catalog, this is sample content for the owner to replace, not part of the
interface: it is written in English and not translated.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from jomso.extensions import db
from jomso.pages.models import PageVersion
from jomso.pages.services import PAGES, publish_page

DEMO_PAGES = {
    "shipping-and-returns": """\
## Shipping

We pack and send orders within two working days. You get an email with the tracking number
as soon as your parcel leaves us.

## Returns

Changed your mind? Send the items back unused within 30 days of delivery and we refund the
price of the items. Write to us first through the contact page, with your order number.
""",
    "terms": """\
## Who sells

The seller is the shop named at the bottom of every page; the imprint says where to find us.

## Orders and prices

Prices include sales tax; shipping is shown before you pay. The contract is made when we
confirm your order by email.

## Payment

Your card is charged when you place the order. If we cannot send an item, we refund it.
""",
    "about": """\
We are a small workshop making things for the kitchen, the table and the garden, by hand and
in small batches.

Every piece is checked and packed by the people who made it. Questions about a product? Ask
us through the contact page: we answer within a working day.
""",
    # "imprint": written from the shop's name and address (``_imprint``)
}


def _imprint() -> str:
    config = current_app.config
    lines = [f"**{config['SHOP_NAME']}**"]
    lines += [line.strip() for line in config["SHOP_ADDRESS"].splitlines() if line.strip()]
    lines.append(config["SHOP_EMAIL"])
    return (
        "\\\n".join(lines)  # a backslash at the end of a line breaks it in Markdown
        + "\n\nThis is a demonstration shop: nothing is sold and no order is shipped.\n"
    )


def publish_demo_pages() -> int:
    """Publish the demo text of each page that has no version yet; returns how many."""
    published = set(db.session.scalars(select(PageVersion.page).distinct()))
    count = 0
    for slug in PAGES:
        if slug not in published:
            body = DEMO_PAGES[slug] if slug in DEMO_PAGES else _imprint()
            publish_page(slug, body, "Demo text.")
            count += 1
    return count
