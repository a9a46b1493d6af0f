"""Staff picture uploads with real files: accepted formats judged by content, metadata stripped,
bad files refused with nothing stored, too-large bodies answered with 413; order, description
and deletion of pictures, and the shop showing them."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict

from jomso.catalog.images import THUMBNAIL_SIZES, image_path
from jomso.catalog.models import ProductImage
from tests.catalog.admin_helpers import (
    count,
    create_product,
    image_bytes,
    jpeg_with_gps,
    picture_rows,
    post_multipart,
    stored_files,
    submit,
    upload,
)
from tests.catalog.helpers import make_product, text_of
from tests.staff.helpers import staff_client

NOT_AN_IMAGE = "Please send a JPEG, PNG or WebP image."


@pytest.fixture
def catalog(app):
    return staff_client(app, "catalog")


@pytest.fixture
def product_id(app, catalog):
    return create_product(catalog)


def _thumbnail(app, key, size=800) -> Image.Image:
    with app.app_context():
        return Image.open(image_path(key, size))


@pytest.mark.parametrize(
    ("fmt", "filename"),
    [
        ("JPEG", "board.jpg"),
        ("PNG", "board.png"),
        ("WEBP", "board.webp"),
        ("PNG", "board.webp"),
        ("JPEG", "board.png"),
        ("WEBP", "no-extension"),
    ],
)
def test_jpeg_png_and_webp_are_accepted_by_content_not_name(
    app, catalog, product_id, fmt, filename
):
    response = upload(catalog, product_id, image_bytes(fmt), filename, alt="The board from above")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/staff/products/{product_id}#pictures")
    page = catalog.get(response.headers["Location"])
    assert "Picture added." in page.text
    ((_id, key, position, alt),) = picture_rows(app, product_id)
    assert (position, alt) == (0, "The board from above")
    assert stored_files(app) == {f"{key[:2]}/{key}-{size}.webp" for size in THUMBNAIL_SIZES}
    with _thumbnail(app, key) as thumb:
        assert thumb.format == "WEBP"


def test_gps_and_camera_metadata_are_stripped(app, catalog, product_id):
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as sent:  # the test file really carries them
        assert sent.getexif().get_ifd(0x8825)[2] == (48.0, 51.0, 29.0)
        assert sent.getexif()[0x010F] == "PocketCam"
    assert upload(catalog, product_id, original, "IMG_0042.jpg").status_code == 302
    ((_id, key, _p, _a),) = picture_rows(app, product_id)
    for size in THUMBNAIL_SIZES:
        with app.app_context():
            raw = image_path(key, size).read_bytes()
        assert b"Exif" not in raw and b"PocketCam" not in raw and b"PC-9" not in raw
        with Image.open(io.BytesIO(raw)) as stored:
            assert not stored.getexif()
            assert not {"exif", "xmp", "icc_profile"} & set(stored.info)


def test_the_shop_shows_the_picture_on_the_product_page_and_in_lists(app, catalog, product_id):
    upload(catalog, product_id, image_bytes("PNG"), "board.png", alt="Walnut board, top view")
    ((_id, key, _p, _a),) = picture_rows(app, product_id)
    shopper = app.test_client()
    page = shopper.get("/products/walnut-serving-board")
    assert f'src="/images/{key}-800.webp"' in page.text
    assert 'alt="Walnut board, top view"' in page.text
    assert f"/images/{key}-320.webp" in shopper.get("/products?q=walnut").text
    image = shopper.get(f"/images/{key}-320.webp")
    image.close()  # a file response: let go of the file
    assert image.status_code == 200 and image.mimetype == "image/webp"


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"Just some notes, not a picture.\n" * 20, "photo.jpg", NOT_AN_IMAGE),
        (b"Just some notes, not a picture.\n" * 20, "photo.png", NOT_AN_IMAGE),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "x.png",
            NOT_AN_IMAGE,
        ),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "scan.webp", NOT_AN_IMAGE),
        (b"", "empty.png", "The file is empty."),
    ],
    ids=["text-as-jpg", "text-as-png", "svg-as-png", "pdf-as-webp", "empty"],
)
def test_files_that_are_not_images_are_refused_and_nothing_is_stored(
    app, catalog, product_id, data, filename, message
):
    before = stored_files(app)
    response = upload(catalog, product_id, data, filename, alt="typed alt")
    assert response.status_code == 422
    assert 'id="image-error"' in response.text
    assert message in response.text
    assert 'value="typed alt"' in response.text  # the description typed stays
    assert 'value="Walnut Serving Board"' in response.text  # the product form is still there
    assert stored_files(app) == before
    assert count(app, ProductImage) == 0


@pytest.mark.parametrize("kind", ["gif", "bmp", "tiff", "truncated-png", "ico"])
def test_other_formats_and_broken_images_are_refused(app, catalog, product_id, kind):
    if kind == "truncated-png":
        data, filename = image_bytes("PNG", size=(300, 200))[:400], "cut.png"
    else:
        data, filename = image_bytes(kind.upper(), size=(64, 64)), f"picture.{kind}"
        filename = "picture.jpg" if kind == "bmp" else filename  # a lying name too
    before = stored_files(app)
    response = upload(catalog, product_id, data, filename)
    assert response.status_code == 422
    assert NOT_AN_IMAGE in response.text
    assert stored_files(app) == before
    assert count(app, ProductImage) == 0


def test_no_file_chosen(app, catalog, product_id):
    from tests.conftest import csrf_token_from

    token = csrf_token_from(catalog.get(f"/staff/products/{product_id}").text)
    response = catalog.post(
        f"/staff/products/{product_id}/images",
        data={"csrf_token": token, "image_alt": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Choose a picture to upload." in response.text


def test_a_picture_over_the_image_limit_gets_a_message(app, catalog, product_id):
    assert app.config["MAX_IMAGE_BYTES"] == 5 * 1024 * 1024
    big = b"\xff\xd8\xff\xe0" + os.urandom(5 * 1024 * 1024)  # starts like a JPEG, too big
    before = stored_files(app)
    response = upload(catalog, product_id, big, "huge.jpg")
    assert response.status_code == 422
    assert "The image is larger than 5 MB. Please send a smaller file." in response.text
    assert stored_files(app) == before
    assert count(app, ProductImage) == 0


def test_a_picture_with_too_many_pixels_is_refused(app, catalog, product_id):
    app.config["MAX_IMAGE_PIXELS"] = 100 * 100
    response = upload(catalog, product_id, image_bytes("PNG", size=(200, 120)), "wide.png")
    assert response.status_code == 422
    assert "The image has too many pixels" in response.text
    assert stored_files(app) == set()


def test_a_picture_of_a_few_megabytes_is_taken(app, catalog, product_id):
    """The upload is the one page that takes a large body: every other one stops at 64 KiB."""
    noise = Image.frombytes("RGB", (1000, 1000), os.urandom(3 * 1000 * 1000))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG")
    picture = buffer.getvalue()
    assert 2.5 * 2**20 < len(picture) < app.config["MAX_IMAGE_BYTES"]
    assert len(picture) > 40 * app.config["MAX_CONTENT_LENGTH"]
    response = upload(catalog, product_id, picture, "noise.png", alt="Static")
    assert response.status_code == 302
    assert [row[3] for row in picture_rows(app, product_id)] == ["Static"]


def test_a_request_over_the_body_limit_gets_the_413_page(app, catalog, product_id):
    # The upload takes the largest picture plus an ordinary form's room, and no more.
    assert app.config["MAX_IMAGE_BYTES"] + app.config["MAX_CONTENT_LENGTH"] < 9 * 1024 * 1024
    before = stored_files(app)
    response = upload(catalog, product_id, b"\x89PNG" + bytes(9 * 1024 * 1024), "giant.png")
    assert response.status_code == 413
    assert "Too large" in response.text
    assert "larger than the shop accepts" in response.text
    assert stored_files(app) == before
    assert count(app, ProductImage) == 0


def test_an_upload_without_the_csrf_token_is_refused(app, catalog, product_id):
    response = post_multipart(
        catalog,
        f"/staff/products/{product_id}/images",
        MultiDict({"image": FileStorage(io.BytesIO(image_bytes()), filename="a.png")}),
    )
    assert response.status_code == 400
    assert stored_files(app) == set()


def test_reorder_pictures_and_the_first_one_leads_the_lists(app, catalog, product_id):
    for index, colour in enumerate([(200, 0, 0), (0, 200, 0), (0, 0, 200)]):
        upload(catalog, product_id, image_bytes(color=colour), f"p{index}.png", alt=f"view {index}")
    rows = picture_rows(app, product_id)
    assert [alt for *_rest, alt in rows] == ["view 0", "view 1", "view 2"]
    first, second, third = (row[0] for row in rows)
    url = f"/staff/products/{product_id}"

    submit(catalog, f"{url}/images/{third}/move", {"direction": "up"}, page_url=url)
    assert [r[0] for r in picture_rows(app, product_id)] == [first, third, second]
    submit(catalog, f"{url}/images/{third}/move", {"direction": "up"}, page_url=url)
    submit(catalog, f"{url}/images/{third}/move", {"direction": "up"}, page_url=url)  # no-op
    submit(catalog, f"{url}/images/{first}/move", {"direction": "down"}, page_url=url)
    submit(catalog, f"{url}/images/{first}/move", {"direction": "down"}, page_url=url)  # no-op
    rows = picture_rows(app, product_id)
    assert [r[0] for r in rows] == [third, second, first]
    assert [r[2] for r in rows] == [0, 1, 2]

    leading_key = rows[0][1]
    shopper = app.test_client()
    assert f"/images/{leading_key}-320.webp" in shopper.get("/products?q=walnut").text
    page = shopper.get("/products/walnut-serving-board").text
    assert page.index('alt="view 2"') < page.index('alt="view 1"') < page.index('alt="view 0"')


def test_change_a_pictures_description(app, catalog, product_id):
    upload(catalog, product_id, image_bytes(), "a.png")
    ((image_id, _k, _p, alt),) = picture_rows(app, product_id)
    assert alt == ""
    url = f"/staff/products/{product_id}"
    response = submit(
        catalog,
        f"{url}/images/{image_id}",
        {f"image-{image_id}-alt": "  Board, side view "},
        page_url=url,
    )
    assert response.status_code == 302
    assert picture_rows(app, product_id)[0][3] == "Board, side view"
    assert 'alt="Board, side view"' in app.test_client().get("/products/walnut-serving-board").text

    response = submit(
        catalog, f"{url}/images/{image_id}", {f"image-{image_id}-alt": "x" * 201}, page_url=url
    )
    assert response.status_code == 422
    assert f'id="image-{image_id}-alt-error"' in response.text
    assert picture_rows(app, product_id)[0][3] == "Board, side view"


def test_delete_a_picture_removes_its_files(app, catalog, product_id):
    upload(catalog, product_id, image_bytes(color=(1, 2, 3)), "a.png")
    upload(catalog, product_id, image_bytes(color=(4, 5, 6)), "b.png")
    (first, first_key, _p, _a), (second, second_key, _q, _b) = picture_rows(app, product_id)
    url = f"/staff/products/{product_id}"
    response = submit(catalog, f"{url}/images/{first}/delete", {}, page_url=url)
    assert response.status_code == 302
    assert "Picture deleted." in catalog.get(response.headers["Location"]).text
    assert picture_rows(app, product_id) == [(second, second_key, 0, "")]
    assert not any(first_key in name for name in stored_files(app))
    assert any(second_key in name for name in stored_files(app))
    assert app.test_client().get(f"/images/{first_key}-320.webp").status_code == 404


def test_files_shared_with_another_product_stay_until_the_last_picture_goes(app, catalog):
    data = image_bytes(color=(9, 99, 199))
    one, two = create_product(catalog, sku="A-1"), create_product(catalog, name="B", sku="B-1")
    upload(catalog, one, data, "same.png")
    upload(catalog, two, data, "same.png")
    ((image_one, key, _p, _a),) = picture_rows(app, one)
    ((image_two, key_two, _q, _b),) = picture_rows(app, two)
    assert key == key_two and len(stored_files(app)) == len(THUMBNAIL_SIZES)

    submit(
        catalog,
        f"/staff/products/{one}/images/{image_one}/delete",
        {},
        page_url=f"/staff/products/{one}",
    )
    assert len(stored_files(app)) == len(THUMBNAIL_SIZES)
    served = app.test_client().get(f"/images/{key}-800.webp")
    served.close()
    assert served.status_code == 200
    submit(
        catalog,
        f"/staff/products/{two}/images/{image_two}/delete",
        {},
        page_url=f"/staff/products/{two}",
    )
    assert stored_files(app) == set()


def test_a_picture_belongs_to_its_product(app, catalog):
    one, two = create_product(catalog, sku="A-1"), create_product(catalog, name="B", sku="B-1")
    upload(catalog, one, image_bytes(), "a.png")
    ((image_id, _k, _p, _a),) = picture_rows(app, one)
    response = submit(
        catalog,
        f"/staff/products/{two}/images/{image_id}/delete",
        {},
        page_url=f"/staff/products/{two}",
    )
    assert response.status_code == 404
    assert len(picture_rows(app, one)) == 1


def test_the_edit_page_lists_pictures_with_their_tools(app, catalog, product_id):
    upload(catalog, product_id, image_bytes(color=(1, 2, 3)), "a.png", alt="front")
    upload(catalog, product_id, image_bytes(color=(4, 5, 6)), "b.png", alt="back")
    page = catalog.get(f"/staff/products/{product_id}").text
    text = text_of(page)
    assert "Picture 1 first" in text and "Picture 2" in text
    assert "120 \u00d7 90 pixels" in text
    assert page.count('name="direction" value="up"') == 2
    assert 'enctype="multipart/form-data"' in page
    assert 'accept="image/jpeg,image/png,image/webp"' in page


def test_a_product_holds_at_most_twenty_pictures(app, catalog):
    product_id = make_product(app, "Many Views", images=20)
    response = upload(catalog, product_id, image_bytes(), "one-more.png")
    assert response.status_code == 422
    assert "A product can have at most 20 pictures." in response.text
    assert "This product has the most pictures it can have (20)." in response.text
    assert len(picture_rows(app, product_id)) == 20
