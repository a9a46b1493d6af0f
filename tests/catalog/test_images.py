"""Product images: validation, metadata stripping, orientation, thumbnails and serving."""

import io
import itertools
import os

import pytest
from PIL import Image

from jomso.catalog.images import THUMBNAIL_SIZES, ImageRejected, image_path, save_product_image
from jomso.catalog.models import Product
from jomso.extensions import db
from tests.catalog.helpers import make_product, png_bytes

_names = itertools.count(1)


def save(app, data, alt=""):
    with app.app_context():
        product = db.session.get(Product, make_product(app, f"Mug {next(_names)}"))
        picture = save_product_image(product, data, alt=alt)
        db.session.commit()
        return picture.key, picture.width, picture.height


def jpeg_with_exif(orientation=1, size=(60, 40)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))  # left half blue
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "SpyCam Inc."  # camera make
    exif[0x8825] = {2: (52.0, 31.0, 0.0), 4: (13.0, 24.0, 0.0)}  # GPS position
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=95)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_accepts_png_jpeg_webp_and_makes_thumbnails(app, fmt):
    key, width, height = save(app, png_bytes(size=(1200, 900), fmt=fmt), alt="A mug")
    assert (width, height) == (1200, 900)
    with app.app_context():
        for size in THUMBNAIL_SIZES:
            with Image.open(image_path(key, size)) as thumb:
                assert thumb.format == "WEBP"
                assert max(thumb.size) == size
        assert str(image_path(key, 320)).startswith(app.instance_path + "/images/")


def test_strips_metadata_and_respects_orientation(app):
    key, width, height = save(app, jpeg_with_exif(orientation=6))  # rotated 90° clockwise
    assert (width, height) == (40, 60)
    with app.app_context(), Image.open(image_path(key, 320)) as thumb:
        assert thumb.size == (40, 60)
        assert not thumb.getexif()
        assert "exif" not in thumb.info and "xmp" not in thumb.info
        raw = image_path(key, 320).read_bytes()
    assert b"SpyCam" not in raw and b"Exif" not in raw
    # the blue left half is now on top
    with Image.open(io.BytesIO(raw)) as thumb:
        top, bottom = (
            thumb.convert("RGB").getpixel((20, 5)),
            thumb.convert("RGB").getpixel((20, 55)),
        )
    assert top[2] > top[0] and bottom[0] > bottom[2]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"not an image at all", "Please send a JPEG, PNG or WebP image."),
        (png_bytes(fmt="GIF"), "Please send a JPEG, PNG or WebP image."),
        (png_bytes(fmt="BMP"), "Please send a JPEG, PNG or WebP image."),
        (png_bytes()[:60], "Please send a JPEG, PNG or WebP image."),  # truncated
    ],
)
def test_rejects_what_is_not_an_accepted_image(app, data, message):
    with pytest.raises(ImageRejected) as caught:
        save(app, data)
    assert caught.value.message == message


def test_rejects_too_many_bytes(app):
    app.config["MAX_IMAGE_BYTES"] = 2000
    data = png_bytes(size=(400, 400), color=(1, 2, 3))
    noisy = Image.frombytes("RGB", (100, 100), os.urandom(30_000))
    buffer = io.BytesIO()
    noisy.save(buffer, "PNG")
    with pytest.raises(ImageRejected, match="larger than"):
        save(app, io.BytesIO(buffer.getvalue()))  # a file object works too
    assert len(data) < 2000  # a small one passes
    save(app, data)


def test_rejects_decompression_bombs(app):
    bomb = png_bytes(size=(8000, 6000), color=(0, 0, 0))  # 48 megapixels, a few KB
    assert len(bomb) < 200_000
    with pytest.raises(ImageRejected, match="too many pixels"):
        save(app, bomb)


def test_image_route_serves_with_long_cache(client):
    key, _, _ = save(client.application, png_bytes(size=(500, 500)))
    response = client.get(f"/images/{key}-320.webp")
    response.close()
    assert response.status_code == 200
    assert response.mimetype == "image/webp"
    cache = response.headers["Cache-Control"]
    assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    "path",
    [
        "/images/{key}-321.webp",
        "/images/{key}-0.webp",
        "/images/0123456789abcdef0123456789abcdef-320.webp",
        "/images/..%2F..%2Fsecret_key-320.webp",
        "/images/{key}-320.png",
        "/images/NOTHEX-320.webp",
    ],
)
def test_image_route_404s(client, path):
    key, _, _ = save(client.application, png_bytes())
    assert client.get(path.format(key=key)).status_code == 404


def test_same_picture_twice_is_stored_once(app):
    data = png_bytes(size=(100, 100))
    first, _, _ = save(app, data)
    with app.app_context():
        product = db.session.scalar(db.select(Product))
        again = save_product_image(product, data)
        db.session.commit()
        assert again.key == first
        assert [p.position for p in product.images] == [0, 1]
