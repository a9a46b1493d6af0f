"""A product's pictures in the back office: adding an upload (at most
``MAX_IMAGES_PER_PRODUCT``), its alt text, its place in the order (the first picture is the one
lists show), and deleting it with its files unless another picture shares them.

Checking and storing the file itself is images.py's work. Each change commits here; the
storefront shows it at once.
"""

from __future__ import annotations

import logging
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import select

from jomso.catalog.editing import CatalogError, _move
from jomso.catalog.images import THUMBNAIL_SIZES, image_path, save_product_image
from jomso.catalog.models import Product, ProductImage
from jomso.extensions import db

log = logging.getLogger(__name__)

MAX_IMAGES_PER_PRODUCT = 20


def add_product_image(product: Product, data: BinaryIO, alt: str = "") -> ProductImage:
    """Store an uploaded picture as the product's last one. Raises ``ImageRejected`` (bad
    file: nothing is stored) or ``CatalogError`` (too many pictures)."""
    if len(product.images) >= MAX_IMAGES_PER_PRODUCT:
        raise CatalogError(
            _("A product can have at most %(num)d pictures.", num=MAX_IMAGES_PER_PRODUCT),
            field="image",
        )
    picture = save_product_image(product, data, alt=alt)
    db.session.commit()
    log.info("picture %s added to product %s", picture.id, product.id)
    return picture


def get_product_image(product: Product, image_id: int) -> ProductImage | None:
    """The picture with this id when it belongs to ``product``."""
    return next((image for image in product.images if image.id == image_id), None)


def update_image_alt(image: ProductImage, alt: str) -> None:
    image.alt = alt.strip()[:200]
    db.session.commit()


def move_image(image: ProductImage, direction: str) -> bool:
    """Move a picture one place up (earlier) or down; the first picture is the one lists
    show. Returns whether it moved."""
    pictures = sorted(image.product.images, key=lambda p: (p.position, p.id))
    moved = _move(pictures, image, direction)
    db.session.commit()
    return moved


def delete_product_image(image: ProductImage) -> None:
    """Remove a picture; its files go too unless another product's picture shares them."""
    product, key = image.product, image.key
    product.images.remove(image)
    for position, picture in enumerate(sorted(product.images, key=lambda p: (p.position, p.id))):
        picture.position = position
    db.session.commit()
    still_used = db.session.scalar(select(ProductImage.id).where(ProductImage.key == key).limit(1))
    if still_used is None:
        for size in THUMBNAIL_SIZES:
            path = image_path(key, size)
            if path is not None:
                path.unlink(missing_ok=True)
    log.info("picture of product %s deleted", product.id)
