"""The setup checklist's shipping and seller items, in the owner's dashboard: each says what
is missing and turns to done once it is set, through the owner's own pages."""

from __future__ import annotations

import re

from sqlalchemy import select

from jomso.catalog.page_cache import raise_revision
from jomso.extensions import db
from jomso.shipping.demo import set_up_demo_shipping
from jomso.shipping.models import MethodKind, ShippingArea, ShippingMethod, ShippingZone
from tests.staff.helpers import staff_client


def _item(html: str, title: str) -> str:
    assert f"<strong>{title}</strong>" in html, f"no checklist item {title!r}"
    return re.sub(r"\s+", " ", html.split(f"<strong>{title}</strong>")[1].split("</li>")[0])


def test_the_checklist_has_the_seller_shipping_and_tax_items_in_order(app):
    text = staff_client(app, "owner").get("/staff/").text
    titles = re.findall(r'<p class="check-title"><strong>([^<]+)</strong>', text)
    assert titles[-3:] == ["Shop address and seller details", "Shipping", "Taxes"]
    assert "To do" in _item(text, "Shop address and seller details")
    assert "One rate goes to every country in the world." in _item(text, "Shipping")


def test_a_zone_without_a_method_is_named_until_it_gets_one(app):
    owner = staff_client(app, "owner")
    with app.app_context():
        set_up_demo_shipping()
        db.session.add(ShippingZone(name="Nordics", areas=[ShippingArea(country="IS", region="")]))
        raise_revision()
        db.session.commit()
    item = _item(owner.get("/staff/").text, "Shipping")
    assert "To do" in item
    assert "The zone “Nordics” offers no delivery method: customers there cannot check out." in item
    # An inactive method is no method.
    with app.app_context():
        zone = db.session.scalar(select(ShippingZone).where(ShippingZone.name == "Nordics"))
        zone.methods.append(
            ShippingMethod(name="Post", kind=MethodKind.FLAT, price_cents=900, is_active=False)
        )
        raise_revision()  # as the shipping page does
        db.session.commit()
    assert "“Nordics” offers no delivery method" in _item(owner.get("/staff/").text, "Shipping")
    with app.app_context():
        db.session.scalar(
            select(ShippingMethod).where(ShippingMethod.name == "Post")
        ).is_active = True
        raise_revision()
        db.session.commit()
    item = _item(owner.get("/staff/").text, "Shipping")
    assert "Done" in item and "4 delivery methods are offered. 3 zones." in item
