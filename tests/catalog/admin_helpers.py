"""Helpers for the back-office catalog tests: the product form as a browser sends it, pictures
as real files, and a look at the images folder."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from jomso.catalog.models import Category, Product, ProductImage
from jomso.extensions import db
from tests.conftest import csrf_token_from


def product_form(**overrides) -> dict:
    """A complete, valid product form; ``None`` leaves a field out (an unticked checkbox)."""
    data = {
        "name": "Walnut Serving Board",
        "slug": "",
        "sku": "WSB-01",
        "category": "0",
        "price": "24.50",
        "stock": "7",
        "is_active": "y",
        "description": "Oiled walnut, **hand finished**.",
        "action": "save",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def submit(client, url: str, data: dict, page_url: str | None = None, **kwargs):
    """POST ``data`` to ``url`` with the CSRF token of the page at ``page_url`` (or ``url``)."""
    page = client.get(page_url or url)
    assert page.status_code == 200, page.status_code
    return client.post(url, data={**data, "csrf_token": csrf_token_from(page.text)}, **kwargs)


def create_product(client, **overrides) -> int:
    """Create a product through the real form; returns its id."""
    response = submit(client, "/staff/products/new", product_form(**overrides))
    assert response.status_code == 302, response.status_code
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def upload(client, product_id: int, data: bytes, filename: str, alt: str = "", **kwargs):
    """Upload a picture through the product page's upload form (multipart, CSRF token)."""
    page = client.get(f"/staff/products/{product_id}")
    fields = MultiDict({"csrf_token": csrf_token_from(page.text), "image_alt": alt})
    fields.add("image", FileStorage(io.BytesIO(data), filename=filename))
    return post_multipart(client, f"/staff/products/{product_id}/images", fields, **kwargs)


def post_multipart(client, url: str, fields: MultiDict, **kwargs):
    """POST a multipart form encoded in memory (the test client spools a large body to a
    temporary file it never closes)."""
    boundary, body = encode_multipart(fields)
    content_type = f'multipart/form-data; boundary="{boundary}"'
    return client.post(url, data=body, content_type=content_type, **kwargs)


def image_bytes(fmt="PNG", size=(120, 90), color=(180, 90, 40), **save_args) -> bytes:
    """A real picture in ``fmt`` with two colours (so it is not one flat block)."""
    picture = Image.new("RGB", size, color)
    picture.paste((20, 60, 160), (0, 0, size[0] // 2, size[1] // 2))
    buffer = io.BytesIO()
    picture.save(buffer, fmt, **save_args)
    return buffer.getvalue()


def jpeg_with_gps() -> bytes:
    """A JPEG as a phone makes it: EXIF with the camera and a GPS position."""
    exif = Image.Exif()
    exif[0x010F] = "PocketCam"  # camera make
    exif[0x0110] = "PC-9 Pro"  # camera model
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)}  # GPS
    return image_bytes("JPEG", size=(400, 300), exif=exif, quality=92)


def stored_files(app) -> set[str]:
    """Every file under the images folder, as paths relative to it."""
    root = Path(app.instance_path) / "images"
    if not root.exists():
        return set()
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def product(app, product_id: int) -> Product:
    with app.app_context():
        found = db.session.get(Product, product_id)
        db.session.expunge_all()
        return found


def picture_rows(app, product_id: int) -> list[tuple[int, str, int, str]]:
    """(id, key, position, alt) of a product's pictures, in order."""
    with app.app_context():
        return [
            (p.id, p.key, p.position, p.alt)
            for p in db.session.scalars(
                select(ProductImage)
                .where(ProductImage.product_id == product_id)
                .order_by(ProductImage.position, ProductImage.id)
            )
        ]


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def category_order(app) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(select(Category.name).order_by(Category.position, Category.id))
        )
