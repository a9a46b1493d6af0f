"""Catalog import and export: Jomso's own CSV (a round trip leaves the catalog unchanged) and
Shopify's product CSV (multi-variant products, image-only rows, HTML bodies, quoted fields,
Windows line endings), through the CLI runner and the staff page; bad files refused whole."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict

from jomso.catalog.models import Category, Product
from jomso.extensions import db
from tests.catalog.admin_helpers import image_bytes, post_multipart
from tests.catalog.helpers import make_category, make_product
from tests.conftest import csrf_token_from
from tests.staff.helpers import staff_client

FILES = Path(__file__).parent / "files"
SHOPIFY = FILES / "shopify_products.csv"
JOMSO = FILES / "jomso_products.csv"


def snapshot(app) -> list[tuple]:
    """Everything the import may change, in a comparable form."""
    with app.app_context():
        db.session.expunge_all()
        out = []
        for product in db.session.scalars(select(Product).order_by(Product.slug)):
            out.append(
                (
                    product.slug, product.name, product.description, product.price_cents,
                    product.is_active, product.category.name if product.category else None,
                    product.price_min_cents, product.price_max_cents, product.stock_total,
                    product.on_sale, product.variant_text,
                    [(o.position, o.name, list(o.values)) for o in product.options],
                    [
                        (v.sku, v.position, v.option1, v.option2, v.option3, v.price_cents,
                         v.compare_at_cents, v.stock, v.weight_grams, v.barcode, v.is_active)
                        for v in product.variants
                    ],
                    [(i.key, i.position, i.alt) for i in product.images],
                )
            )  # fmt: skip
        return out


def shopify_file(tmp_path, app) -> Path:
    """The Shopify test file, its one local picture written next to it."""
    picture = tmp_path / "mug.png"
    picture.write_bytes(image_bytes())
    path = tmp_path / "shopify.csv"
    path.write_bytes(SHOPIFY.read_bytes().replace(b"PICTURE", str(picture).encode()))
    return path


def run_import(runner, path, *args):
    return runner.invoke(args=["import-products", str(path), *args])


def test_shopify_file_imports_products_variants_and_pictures(app, runner, tmp_path):
    path = shopify_file(tmp_path, app)
    assert b"\r\n" in path.read_bytes()  # Windows line endings
    result = run_import(runner, path, "--create-categories")
    assert result.exit_code == 0, result.output
    assert "Format: Shopify." in result.output
    assert "3 created" in result.output
    # No internet here: the URLs are reported, and the import went on without them.
    assert result.output.count("not fetched") == 3
    with app.app_context():
        shirt = db.session.scalar(select(Product).where(Product.slug == "linen-shirt"))
        assert shirt.name == "Linen Shirt, washed"
        assert "<script" not in shirt.description and "alert" not in shirt.description
        assert "**soft**" in shirt.description and "- 100% linen" in shirt.description
        assert shirt.category.name == "Shirts"
        assert [(o.name, o.values) for o in shirt.options] == [
            ("Size", ["S", "M"]),
            ("Colour", ["Sand", "Olive"]),
        ]
        assert [(v.sku, v.title, v.effective_price_cents, v.compare_at_cents, v.stock)
                for v in shirt.variants] == [
            ("LS-S-SAND", "S / Sand", 5900, 7900, 4),
            ("LS-M-SAND", "M / Sand", 5900, 7900, 7),
            ("LS-M-OLIVE", "M / Olive", 6400, None, 0),
        ]  # fmt: skip
        assert (shirt.price_min_cents, shirt.price_max_cents, shirt.stock_total) == (
            5900,
            6400,
            11,
        )
        assert shirt.on_sale and shirt.variants[0].barcode == "4006381333931"
        mug = db.session.scalar(select(Product).where(Product.slug == "enamel-mug"))
        assert mug.options == [] and mug.variants[0].title == ""
        assert mug.description == "Holds 350 ml,\nkeeps its chips."
        assert len(mug.images) == 1  # the local file
        wrap = db.session.scalar(select(Product).where(Product.slug == "gift-wrap"))
        assert not wrap.is_active  # draft, unpublished


def test_importing_twice_changes_nothing(app, runner, tmp_path):
    path = shopify_file(tmp_path, app)
    assert run_import(runner, path, "--create-categories").exit_code == 0
    before = snapshot(app)
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    assert "0 created, 0 updated, 3 skipped" in result.output
    assert snapshot(app) == before


def test_a_missing_category_is_reported_and_nothing_imported(app, runner, tmp_path):
    result = run_import(runner, shopify_file(tmp_path, app))
    assert result.exit_code != 0
    assert "Type: No category “Shirts”" in result.output
    assert "--create-categories" in result.output
    assert snapshot(app) == []


def test_dry_run_changes_nothing_and_reports(app, runner, tmp_path):
    result = run_import(runner, shopify_file(tmp_path, app), "--dry-run", "--create-categories")
    assert result.exit_code == 0, result.output
    assert "3 created" in result.output and "Dry run: nothing was changed." in result.output
    assert snapshot(app) == []
    with app.app_context():
        assert db.session.scalars(select(Category)).all() == []


def test_jomso_file_imports_and_round_trips(app, runner, tmp_path):
    make_category(app, "Textiles")
    result = run_import(runner, JOMSO)
    assert result.exit_code == 0, result.output
    assert "Format: Jomso." in result.output and "2 created" in result.output
    with app.app_context():
        scarf = db.session.scalar(select(Product).where(Product.slug == "wool-scarf"))
        assert scarf.description == '- warm\n- soft, "chunky" knit'  # formula quote undone
        assert [
            (v.sku, v.price_cents, v.compare_at_cents, v.is_active) for v in scarf.variants
        ] == [
            ("SCARF-RED", None, 4500, True),
            ("SCARF-GREY", 3800, None, False),
        ]
    before = snapshot(app)
    exported = tmp_path / "out.csv"
    assert runner.invoke(args=["export-products", str(exported)]).exit_code == 0
    assert exported.read_bytes() == JOMSO.read_bytes()  # the same file, byte for byte
    result = run_import(runner, exported)
    assert "0 created, 0 updated, 2 skipped" in result.output
    assert snapshot(app) == before


def test_round_trip_of_a_shop_with_pictures_and_options(app, runner, tmp_path):
    run_import(runner, shopify_file(tmp_path, app), "--create-categories")
    make_product(app, "Plain Plate", images=2, sku="PLATE")
    before = snapshot(app)
    exported = tmp_path / "out.csv"
    runner.invoke(args=["export-products", str(exported)])
    result = run_import(runner, exported)
    assert result.exit_code == 0, result.output
    assert "0 created, 0 updated, 4 skipped" in result.output
    assert snapshot(app) == before


def bad(tmp_path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


JOMSO_TEXT = JOMSO.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (JOMSO_TEXT.encode("utf-16"), "The file is UTF-16"),
        (JOMSO_TEXT.replace("Wool", "Écharpe").encode("latin-1"), "is not UTF-8"),
        (b"handle,name\r\nx,y\r\n", "Required columns are missing: price, sku."),
        (JOMSO_TEXT.replace("SCARF-GREY", "SCARF-RED").encode(),
         "row 3, sku: SKU SCARF-RED is already on row 2."),
        (JOMSO_TEXT.replace("45.00", "-45.00").encode(),
         "row 2, compare_at: A price cannot be negative."),
        (JOMSO_TEXT.replace("9.90", "nine").encode(), "row 4, price: “nine” is not a price."),
    ],
)  # fmt: skip
def test_bad_files_get_a_clear_error_and_nothing_is_imported(app, runner, tmp_path, data, message):
    make_category(app, "Textiles")
    result = run_import(runner, bad(tmp_path, "bad.csv", data))
    assert result.exit_code != 0
    assert message in result.output
    assert "nothing was imported" in result.output.lower()
    assert snapshot(app) == []


def test_a_sku_held_by_another_product_is_refused(app, runner):
    make_category(app, "Textiles")
    make_product(app, "Other", sku="TOWEL")
    result = run_import(runner, JOMSO)
    assert "row 4, sku: SKU TOWEL belongs to another product (other)." in result.output
    assert [row[0] for row in snapshot(app)] == ["other"]


def test_fifty_megabytes_of_junk_is_refused_quickly(app, runner, tmp_path):
    import time

    path = tmp_path / "junk.csv"
    with path.open("wb") as handle:
        for _ in range(50):
            handle.write(b"\x00junk" * 209716)
    started = time.perf_counter()
    result = run_import(runner, path)
    assert time.perf_counter() - started < 2
    assert result.exit_code != 0 and "larger than 20 MB" in result.output
    assert snapshot(app) == []


# -- The staff pages -----------------------------------------------------------------------


@pytest.fixture
def catalog(app):
    return staff_client(app, "catalog")


def upload(client, data: bytes, **options):
    page = client.get("/staff/products/import")
    assert page.status_code == 200
    fields = MultiDict({"csrf_token": csrf_token_from(page.text), **options})
    fields.add("file", FileStorage(io.BytesIO(data), filename="products.csv"))
    return post_multipart(client, "/staff/products/import", fields)


def test_staff_upload_imports_and_download_matches_the_cli(app, catalog, runner, tmp_path):
    response = upload(catalog, shopify_file(tmp_path, app).read_bytes(), create_categories="y")
    assert response.status_code == 200
    assert "3 created" in response.text and "not fetched" in response.text
    download = catalog.get("/staff/products/export.csv")
    assert download.status_code == 200
    assert download.headers["Content-Type"].startswith("text/csv")
    exported = tmp_path / "out.csv"
    runner.invoke(args=["export-products", str(exported)])
    assert download.data == exported.read_bytes()


def test_staff_upload_errors_show_and_nothing_is_imported(app, catalog):
    response = upload(catalog, JOMSO.read_bytes(), dry_run="")
    assert response.status_code == 422
    assert "Nothing was imported" in response.text
    assert "No category “Textiles”" in response.text
    assert snapshot(app) == []


def test_staff_upload_dry_run(app, catalog):
    make_category(app, "Textiles")
    response = upload(catalog, JOMSO.read_bytes(), dry_run="y")
    assert response.status_code == 200
    assert "2 created" in response.text and "nothing was changed" in response.text
    assert snapshot(app) == []


def test_staff_upload_over_the_limit_gets_the_413_page(app, catalog):
    limit = app.config["MAX_CATALOG_IMPORT_BYTES"]
    response = upload(catalog, b"a" * (limit + 2 * app.config["MAX_CONTENT_LENGTH"]))
    assert response.status_code == 413
    assert "Too large" in response.text


def test_the_import_pages_need_the_catalog_permission(app):
    orders = staff_client(app, "orders")
    assert orders.get("/staff/products/import").status_code == 403
    assert orders.get("/staff/products/export.csv").status_code == 403


def test_without_csrf_the_upload_is_refused(app, catalog):
    fields = MultiDict()
    fields.add("file", FileStorage(io.BytesIO(JOMSO.read_bytes()), filename="p.csv"))
    response = post_multipart(catalog, "/staff/products/import", fields)
    assert response.status_code == 400
    assert snapshot(app) == []
