"""Helpers for the catalog and cart tests: make categories, products and image files."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from PIL import Image

from jomso.catalog.demo_pictures import COLOURS, draw_picture
from jomso.catalog.editing import slugify
from jomso.catalog.images import save_product_image
from jomso.catalog.models import Category, Product
from jomso.catalog.variants import refresh_summary, single_variant
from jomso.database import utcnow
from jomso.extensions import db
from tests.conftest import csrf_token_from


def make_category(app, name="Kitchen", position=0) -> int:
    with app.app_context():
        category = Category(name=name, slug=slugify(name), position=position)
        db.session.add(category)
        db.session.commit()
        return category.id


def make_product(
    app,
    name="Blue Mug",
    *,
    price_cents=1250,
    stock=10,
    category_id=None,
    description="A mug.",
    age_days=60,
    is_active=True,
    images=0,
    sku=None,
    shape=None,
) -> int:
    """A product (and ``images`` pictures, plain or drawn like the demo's when ``shape`` is
    given); returns its id. Its slug is ``slugify(name)``."""
    with app.app_context():
        created = utcnow() - timedelta(days=age_days)
        product = Product(
            name=name,
            slug=slugify(name),
            description=description,
            price_cents=price_cents,
            category_id=category_id,
            is_active=is_active,
            created_at=created,
            updated_at=created,
        )
        single_variant(product, sku=sku or f"SKU-{slugify(name).upper()}", stock=stock)
        refresh_summary(product)
        db.session.add(product)
        for index in range(images):
            if shape:
                data = draw_picture(shape, COLOURS[(len(name) + 3 * index) % 8][1], view=index)
            else:
                data = png_bytes(color=(40 * index % 255, 90, 120))
            save_product_image(product, data, alt=name)
        db.session.commit()
        return product.id


def make_products(app, count, category_id=None, prefix="Item", images=1, **kwargs) -> list[int]:
    """``count`` products named "<prefix> 1", "<prefix> 2", ... (newer with each number)."""
    return [
        make_product(
            app,
            f"{prefix} {i}",
            category_id=category_id,
            age_days=count - i + 1,
            images=images,
            **kwargs,
        )
        for i in range(1, count + 1)
    ]


def update_product(app, product_id, **values) -> None:
    with app.app_context():
        product = db.session.get(Product, product_id)
        for key, value in values.items():
            if key in VARIANT_FIELDS:  # a product without options: its one variant's
                setattr(product.default_variant, key, value)
            else:
                setattr(product, key, value)
        refresh_summary(product)
        db.session.commit()


# What a product without options keeps on its one variant.
VARIANT_FIELDS = ("sku", "stock", "compare_at_cents", "weight_grams", "barcode")


def default_variant_id(app, product_id) -> int:
    with app.app_context():
        return db.session.get(Product, product_id).default_variant.id


def png_bytes(size=(64, 48), color=(30, 120, 110), fmt="PNG", **save_args) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt, **save_args)
    return buffer.getvalue()


def add_to_cart(client, product_id, quantity=1, slug=None, follow=False):
    """Add through the product page's form, as a browser would."""
    with client.application.app_context():
        slug = slug or db.session.get(Product, product_id).slug
    page = client.get(f"/products/{slug}")
    return client.post(
        "/cart/add",
        data={
            "csrf_token": csrf_token_from(page.text),
            "product_id": str(product_id),
            "quantity": str(quantity),
        },
        follow_redirects=follow,
    )


def cart_form_post(client, action, product_id, quantity=None, follow=False):
    """Post one of the cart page's line forms (update or remove) for the line of the product's
    one variant (``product_id`` of no product: that id as the variant's)."""
    page = client.get("/cart")
    with client.application.app_context():
        product = db.session.get(Product, product_id)
        variant_id = product.default_variant.id if product else product_id
    data = {"csrf_token": csrf_token_from(page.text), "variant_id": str(variant_id)}
    if quantity is not None:
        data["quantity"] = str(quantity)
    return client.post(f"/cart/{action}", data=data, follow_redirects=follow)


def text_of(html: str) -> str:
    """The visible text of a page, whitespace collapsed, for asserting what a person reads."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    text = text.replace("&amp;", "&").replace("&#34;", '"').replace("&#39;", "'")
    return " ".join(text.split())


def names_on(html: str) -> list[str]:
    """The product names on a list page, in order."""
    return re.findall(r'<span class="name">([^<]+)</span>', html)
