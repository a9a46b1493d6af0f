"""Product images: the one way pictures enter the shop (demo seeding now, staff uploads later).

``save_product_image(product, data, alt="")`` checks the upload (Pillow must open it as JPEG, PNG
or WebP; at most ``MAX_IMAGE_BYTES`` bytes and ``MAX_IMAGE_PIXELS`` pixels, against
decompression bombs), turns it upright by its EXIF orientation, re-encodes it (which drops EXIF,
GPS and every other piece of metadata) as WebP thumbnails in the sizes the pages use, and adds a
``ProductImage`` row to the session; the calling service commits. A bad file raises
``ImageRejected`` with a message for the person who sent it.

Files live under ``<instance>/images/<key[:2]>/<key>-<size>.webp``. The key is derived from the
content, so a file never changes under its URL (served with a year-long immutable cache) and
the same picture uploaded twice is stored once; rows may therefore share a key, and a file may
only be deleted when no row uses its key any more.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app, url_for
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from jomso.catalog.models import Product, ProductImage
from jomso.extensions import db

# Widths (and heights: images fit in a square) of the stored thumbnails: cards use 320 (and
# 800 on dense screens), the product page 800.
THUMBNAIL_SIZES = (320, 800)
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
WEBP_QUALITY = 82
KEY_PATTERN = re.compile(r"[0-9a-f]{32}")


class ImageRejected(ValueError):
    """The file is not an image the shop accepts; ``message`` says why, for the uploader."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class StoredImage:
    key: str
    width: int
    height: int


def images_dir() -> Path:
    return Path(current_app.instance_path) / "images"


def image_path(key: str, size: int) -> Path | None:
    """Where a thumbnail lives, or None when the key or size can't be one of ours."""
    if size not in THUMBNAIL_SIZES or not KEY_PATTERN.fullmatch(key):
        return None
    return images_dir() / key[:2] / f"{key}-{size}.webp"


def image_url(key: str | None, size: int) -> str:
    """The URL of a thumbnail, or of the placeholder picture when there is no image."""
    if not key:
        return url_for("static", filename="img/product-placeholder.svg")
    return url_for("catalog.product_image", key=key, size=size)


def _read_limited(data: bytes | BinaryIO, limit: int) -> bytes:
    raw = bytes(data) if isinstance(data, bytes | bytearray) else data.read(limit + 1)
    if len(raw) > limit:
        size = f"{limit / 2**20:.0f} MB" if limit >= 2**20 else f"{max(1, limit // 1024)} KB"
        raise ImageRejected(_("The image is larger than %(size)s. Please send a smaller file.",
                              size=size))  # fmt: skip
    if not raw:
        raise ImageRejected(_("The file is empty."))
    return raw


def _decode(raw: bytes, max_pixels: int) -> Image.Image:
    """Open, check and orient the image; any decoding trouble becomes ImageRejected."""
    not_an_image = _("Please send a JPEG, PNG or WebP image.")
    too_big = _(
        "The image has too many pixels (at most %(mp)s megapixels).", mp=max_pixels // 1_000_000
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(raw), formats=ACCEPTED_FORMATS)
            if image.format not in ACCEPTED_FORMATS:
                raise ImageRejected(not_an_image)
            if image.width * image.height > max_pixels:
                raise ImageRejected(too_big)
            image.load()
            image = ImageOps.exif_transpose(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ImageRejected(too_big) from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
            if isinstance(error, ImageRejected):
                raise
            raise ImageRejected(not_an_image) from error
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    return image.convert("RGBA" if has_alpha else "RGB")


def store_image(data: bytes | BinaryIO) -> StoredImage:
    """Validate and re-encode an image into its thumbnails; nothing goes to the database.

    The building block of ``save_product_image`` (and of the demo seeder's shared pool).
    """
    config = current_app.config
    raw = _read_limited(data, int(config["MAX_IMAGE_BYTES"]))
    image = _decode(raw, int(config["MAX_IMAGE_PIXELS"]))
    key = hashlib.sha256(raw).hexdigest()[:32]
    thumb = image
    for size in sorted(THUMBNAIL_SIZES, reverse=True):  # each from the last: less to resize
        path = image_path(key, size)
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        thumb = thumb.copy()
        thumb.thumbnail((size, size), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        # No exif= / icc_profile= / xmp=: the re-encoded file carries no metadata at all.
        thumb.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(buffer.getvalue())
        tmp.replace(path)  # atomic: a reader never sees half a file
    return StoredImage(key=key, width=image.width, height=image.height)


def save_product_image(product: Product, data: bytes | BinaryIO, alt: str = "") -> ProductImage:
    """Store an image for ``product`` as its last picture; the caller commits.

    Raises ``ImageRejected`` (with a message for the uploader) for anything but a sound JPEG,
    PNG or WebP image within the size limits.
    """
    stored = store_image(data)
    position = max((image.position for image in product.images), default=-1) + 1
    picture = ProductImage(
        key=stored.key,
        width=stored.width,
        height=stored.height,
        position=position,
        alt=alt[:200],
    )
    product.images.append(picture)
    db.session.add(picture)
    return picture
