"""Catalog import from CSV: Jomso's own export (``csv_export``) or Shopify's product CSV.

``read_catalog(data)`` decodes and checks the whole file into a neutral ``Plan`` (products by
handle, each with options, variants and pictures) and a list of errors by row and column;
nothing touches the database but reads. ``apply_plan(plan, ...)`` then writes it in the
caller's transaction: products matched by handle (slug), variants by SKU, only what differs
is changed, so importing the same file twice changes nothing. ``import_catalog`` does both in
one transaction and rolls back on any error or on a dry run: nothing is ever half-imported.

Pictures: a stored key (what the export writes) is reused, a local file path is read, a URL
is fetched with a short timeout; one that cannot be fetched is reported "not fetched" and the
import goes on without it.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
import urllib.request
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import nh3
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import column, func, select, table
from sqlalchemy.orm import selectinload

from jomso.catalog.editing import slugify
from jomso.catalog.images import ImageRejected, image_path, save_product_image
from jomso.catalog.models import Category, Product, ProductImage, ProductOption, ProductVariant
from jomso.catalog.variants import refresh_summaries
from jomso.extensions import db

MAX_IMPORT_BYTES = 20 * 1024 * 1024
FETCH_TIMEOUT_SECONDS = 5
OWN_FORMAT_REQUIRED = ("handle", "name", "price", "sku")
SHOPIFY_REQUIRED = ("Handle", "Title", "Variant SKU", "Variant Price")
YES = {"yes", "true", "1", "y"}
NO = {"no", "false", "0", "n", ""}


class ImportRefused(ValueError):
    """The file cannot be read at all (size, encoding, columns): ``message`` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class VariantPlan:
    row: int
    sku: str
    values: list[str | None]
    price_cents: int | None
    compare_at_cents: int | None
    stock: int
    weight_grams: int
    barcode: str
    is_active: bool
    tax_class: str | None = None  # None: the file has no tax_class column (kept as it is)


@dataclass
class ProductPlan:
    row: int
    handle: str
    name: str
    description: str
    price_cents: int | None
    is_active: bool
    category: str
    option_names: list[str] = field(default_factory=list)
    variants: list[VariantPlan] = field(default_factory=list)
    pictures: list[tuple[str, str]] = field(default_factory=list)  # (source, alt)
    tax_class: str | None = None  # the first row's; None: no tax_class column


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.message}"


@dataclass
class Plan:
    format: str
    products: dict[str, ProductPlan] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class Report:
    format: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    variants_created: int = 0
    variants_updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    applied: bool = False

    def lines(self) -> list[str]:
        out = [
            _("Format: %(format)s.", format=self.format or "?"),
            _(
                "Products: %(created)d created, %(updated)d updated, %(unchanged)d "
                "skipped (unchanged). Variants: %(vc)d created, %(vu)d updated.",
                created=self.created,
                updated=self.updated,
                unchanged=self.unchanged,
                vc=self.variants_created,
                vu=self.variants_updated,
            ),
        ]
        out += [str(error) for error in self.errors]
        out += self.notes
        if self.errors:
            out.append(_("Nothing was imported: correct these errors and import the file again."))
        elif self.dry_run:
            out.append(_("Dry run: nothing was changed."))
        return out


# Reading -------------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """UTF-8, with or without a byte order mark; anything else refused with a clear message."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRefused(
            _("The file is UTF-16. Save it as CSV UTF-8 (comma delimited) and try again.")
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused(
            _(
                "The file is not UTF-8 (byte %(at)d cannot be read; Latin-1 or Windows-1252 "
                "perhaps). Save it as CSV UTF-8 and try again.",
                at=error.start + 1,
            )
        ) from None


def read_limited(stream, limit: int | None = None) -> bytes:
    """At most ``limit`` bytes (``MAX_CATALOG_IMPORT_BYTES``); a bigger file is refused after
    reading just past the limit, never whole."""
    if limit is None:
        limit = int(current_app.config.get("MAX_CATALOG_IMPORT_BYTES", MAX_IMPORT_BYTES))
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ImportRefused(
            _("The file is larger than %(mb)d MB: split it.", mb=limit // (1024 * 1024))
        )
    return data


def read_catalog(data: bytes) -> Plan:
    text = decode(data)
    if "\x00" in text[:4096]:
        raise ImportRefused(_("The file is not a CSV text file."))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except (StopIteration, csv.Error):
        raise ImportRefused(_("The file is empty or not a CSV file.")) from None
    if "Handle" in header and "Title" in header:
        required, plan = SHOPIFY_REQUIRED, Plan(format="Shopify")
    else:
        required, plan = OWN_FORMAT_REQUIRED, Plan(format="Jomso")
    missing = [name for name in required if name not in header]
    if missing:
        raise ImportRefused(
            _("Required columns are missing: %(columns)s.", columns=", ".join(missing))
        )
    rows = _rows(reader, header)
    try:
        if plan.format == "Shopify":
            _read_shopify(rows, plan)
        else:
            _read_jomso(rows, plan)
    except csv.Error as error:
        raise ImportRefused(_("The file is not a valid CSV file: %(error)s", error=error)) from None
    _check_skus(plan)
    return plan


def _rows(reader, header):
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        yield number, Row(number, dict(zip(header, cells, strict=False)))


class Row:
    def __init__(self, number: int, cells: dict[str, str]):
        self.number = number
        self.cells = cells

    def text(self, column: str) -> str:
        value = self.cells.get(column) or ""
        # The export quotes formula-like text with a leading ' (see csv_export.safe_cell).
        if value.startswith("'") and value[1:2] in ("=", "+", "-", "@", "\t", "\r"):
            value = value[1:]
        return value.strip() if column != "description" else value


def _money(row: Row, column: str, plan: Plan, required: bool = False) -> int | None:
    value = row.text(column).replace(",", "") if row.text(column) else ""
    if not value:
        if required:
            plan.errors.append(RowError(row.number, column, _("A price is required.")))
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        plan.errors.append(
            RowError(row.number, column, _("“%(value)s” is not a price.", value=value))
        )
        return None
    if amount < 0:
        plan.errors.append(RowError(row.number, column, _("A price cannot be negative.")))
        return None
    return int((amount * 100).to_integral_value())


def _int(row: Row, column: str, plan: Plan, *, negative: bool = False) -> int:
    value = row.text(column)
    if not value:
        return 0
    try:
        number = int(Decimal(value))
    except InvalidOperation:
        plan.errors.append(
            RowError(row.number, column, _("“%(value)s” is not a whole number.", value=value))
        )
        return 0
    if number < 0 and not negative:
        plan.errors.append(RowError(row.number, column, _("This cannot be negative.")))
        return 0
    return number


def _flag(row: Row, column: str, plan: Plan, default: bool = True) -> bool:
    if column not in row.cells:
        return default
    value = row.text(column).lower()
    if value in YES:
        return True
    if value in NO:
        return False if value else default
    plan.errors.append(RowError(row.number, column, _("Write yes or no.")))
    return default


def _read_jomso(rows, plan: Plan) -> None:
    for number, row in rows:
        handle = row.text("handle")
        if not handle:
            plan.errors.append(RowError(number, "handle", _("A handle is required.")))
            continue
        product = plan.products.get(handle)
        if product is None:
            product = plan.products[handle] = ProductPlan(
                row=number,
                handle=handle,
                name=row.text("name"),
                description=row.text("description"),
                price_cents=_money(row, "price", plan, required=True),
                is_active=_flag(row, "active", plan),
                category=row.text("category"),
                option_names=[row.text(f"option{i}_name") for i in (1, 2, 3)],
                pictures=[(key, "") for key in row.text("pictures").split()],
                tax_class=_tax_class(row),
            )
            if not product.name:
                plan.errors.append(RowError(number, "name", _("A name is required.")))
        product.variants.append(
            VariantPlan(
                row=number,
                sku=row.text("sku"),
                values=[row.text(f"option{i}_value") or None for i in (1, 2, 3)],
                price_cents=_money(row, "variant_price", plan),
                compare_at_cents=_money(row, "compare_at", plan),
                stock=_int(row, "stock", plan, negative=True),
                weight_grams=_int(row, "weight_grams", plan),
                barcode=row.text("barcode"),
                is_active=_flag(row, "variant_active", plan),
                tax_class=_tax_class(row),
            )
        )


def _tax_class(row) -> str | None:
    """The row's tax class code (empty: standard); None when the file has no such column."""
    if "tax_class" not in row.cells:
        return None
    return row.text("tax_class").lower() or "standard"


def _known_tax_classes() -> set[str]:
    # The tax classes' codes, read from their table (``taxes.models.TaxClass``) without
    # importing the taxes package, which sits above the catalog.
    classes = table("tax_classes", column("code"))
    return set(db.session.scalars(select(classes.c.code)))


def _read_shopify(rows, plan: Plan) -> None:
    for number, row in rows:
        handle = row.text("Handle")
        if not handle:
            plan.errors.append(RowError(number, "Handle", _("A handle is required.")))
            continue
        product = plan.products.get(handle)
        if product is None:
            status = row.text("Status").lower()
            published = row.text("Published").lower()
            product = plan.products[handle] = ProductPlan(
                row=number,
                handle=slugify(handle),
                name=row.text("Title"),
                description=html_to_markdown(row.cells.get("Body (HTML)") or ""),
                price_cents=None,
                is_active=status in ("", "active") and published not in ("false", "no"),
                category=row.text("Type"),
                option_names=[row.text(f"Option{i} Name") for i in (1, 2, 3)],
            )
            if not product.name:
                plan.errors.append(RowError(number, "Title", _("A title is required.")))
            if product.option_names == ["Title", "", ""]:  # Shopify's "Default Title"
                product.option_names = ["", "", ""]
        source = row.text("Image Src")
        if source and source not in [p[0] for p in product.pictures]:
            product.pictures.append((source, row.text("Image Alt Text")))
        values = [row.text(f"Option{i} Value") or None for i in (1, 2, 3)]
        if product.option_names[0] == "" and values[0] == "Default Title":
            values[0] = None
        if not (row.text("Variant SKU") or row.text("Variant Price") or any(values)):
            continue  # an image-only row
        sku = row.text("Variant SKU")
        price = _money(row, "Variant Price", plan, required=True)
        if product.price_cents is None and price is not None:
            product.price_cents = price
        product.variants.append(
            VariantPlan(
                row=number,
                sku=sku,
                values=values,
                price_cents=price,
                compare_at_cents=_money(row, "Variant Compare At Price", plan),
                stock=_int(row, "Variant Inventory Qty", plan, negative=True),
                weight_grams=_int(row, "Variant Grams", plan),
                barcode=row.text("Variant Barcode").lstrip("'"),
                is_active=True,
            )
        )
    for product in plan.products.values():
        if not product.variants:
            plan.errors.append(
                RowError(product.row, "Variant SKU", _("The product has no variant row."))
            )
        # The product's price: its first variant's; variants at that price keep none of
        # their own (as the shop's editor does).
        for variant in product.variants:
            if variant.price_cents == product.price_cents:
                variant.price_cents = None


def _check_skus(plan: Plan) -> None:
    """Every variant has a SKU, none twice in the file nor held by another product."""
    sku_column = "Variant SKU" if plan.format == "Shopify" else "sku"
    seen: dict[str, int] = {}
    owner: dict[str, str] = {}
    for product in plan.products.values():
        for variant in product.variants:
            if not variant.sku:
                plan.errors.append(RowError(variant.row, sku_column, _("A SKU is required.")))
            elif len(variant.sku) > 64:
                plan.errors.append(RowError(variant.row, sku_column, _("The SKU is too long.")))
            elif variant.sku in seen:
                plan.errors.append(
                    RowError(
                        variant.row,
                        sku_column,
                        _("SKU %(sku)s is already on row %(row)d.", sku=variant.sku,
                          row=seen[variant.sku]),
                    )
                )  # fmt: skip
            else:
                seen[variant.sku] = variant.row
                owner[variant.sku] = product.handle
    skus = list(seen)
    for start in range(0, len(skus), 500):
        held = db.session.execute(
            select(ProductVariant.sku, Product.slug)
            .join(Product, Product.id == ProductVariant.product_id)
            .where(ProductVariant.sku.in_(skus[start : start + 500]))
        )
        for sku, slug in held:
            if slug != owner[sku]:
                plan.errors.append(
                    RowError(
                        seen[sku],
                        sku_column,
                        _("SKU %(sku)s belongs to another product (%(slug)s).", sku=sku,
                          slug=slug),
                    )
                )  # fmt: skip


_BLOCK_END = re.compile(r"</(p|div|h[1-6]|ul|ol|table|tr)>|<br\s*/?>", re.I)


def html_to_markdown(body: str) -> str:
    """Shopify's HTML body as plain Markdown: scripts and styles dropped with their content
    (nh3), bold, italics, links and list items kept, every other tag removed."""
    if not body.strip():
        return ""
    clean = nh3.clean(
        body,
        tags={"p", "br", "strong", "b", "em", "i", "a", "li", "ul", "ol", "div", "h2", "h3"},
        attributes={"a": {"href"}},
        link_rel=None,
    )
    clean = re.sub(r"<(strong|b)>(.*?)</\1>", r"**\2**", clean, flags=re.S)
    clean = re.sub(r"<(em|i)>(.*?)</\1>", r"*\2*", clean, flags=re.S)
    clean = re.sub(r'<a href="([^"]*)">(.*?)</a>', r"[\2](\1)", clean, flags=re.S)
    clean = re.sub(r"<li>", "\n- ", clean)
    clean = _BLOCK_END.sub("\n\n", clean)
    clean = re.sub(r"<[^>]+>", "", clean)
    clean = html.unescape(clean)
    lines = [line.strip() for line in clean.replace("\r", "").split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# Applying ------------------------------------------------------------------------------------


def _set(obj, **values) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def apply_plan(plan: Plan, report: Report, *, create_categories: bool, fetch: bool) -> None:
    """Write the plan in the current transaction; errors go to the report (caller rolls back)."""
    categories = {c.name.lower(): c for c in db.session.scalars(select(Category))}
    handles = list(plan.products)
    existing: dict[str, Product] = {}
    for start in range(0, len(handles), 500):
        for product in db.session.scalars(
            select(Product)
            .where(Product.slug.in_(handles[start : start + 500]))
            .options(
                selectinload(Product.options),
                selectinload(Product.variants),
                selectinload(Product.images),
            )
        ):
            existing[product.slug] = product
    touched: list[Product] = []
    tax_classes = _known_tax_classes()
    for item in plan.products.values():
        unknown = [
            (row, code)
            for row, code in [(item.row, item.tax_class)]
            + [(v.row, v.tax_class) for v in item.variants]
            if code is not None and code not in tax_classes
        ]
        if unknown:
            for row, code in dict(unknown).items():
                report.errors.append(
                    RowError(row, "tax_class",
                             _("No tax class “%(code)s”: add it under Taxes first.", code=code))
                )  # fmt: skip
            continue
        category = None
        if item.category:
            category = categories.get(item.category.lower())
            if category is None and create_categories:
                category = Category(name=item.category[:120], slug=_free_category_slug(item))
                db.session.add(category)
                categories[item.category.lower()] = category
                report.notes.append(_("Category created: %(name)s.", name=item.category))
            elif category is None:
                report.errors.append(
                    RowError(
                        item.row,
                        "Type" if plan.format == "Shopify" else "category",
                        _("No category “%(name)s”: create it, or import with "
                          "--create-categories (the page's checkbox).", name=item.category),
                    )
                )  # fmt: skip
                continue
        product = existing.get(item.handle)
        created = product is None
        if created:
            product = Product(slug=item.handle, price_cents=0)
            db.session.add(product)
        changed = _set(
            product,
            name=item.name[:200],
            description=item.description,
            price_cents=item.price_cents or 0,
            is_active=item.is_active,
            category=category,
        )
        if item.tax_class is not None:
            changed |= _set(product, tax_class=item.tax_class)
        changed |= _apply_options(product, item)
        changed |= _apply_variants(product, item, report)
        changed |= _apply_pictures(product, item, report, fetch=fetch)
        if created:
            report.created += 1
        elif changed:
            report.updated += 1
        else:
            report.unchanged += 1
        touched.append(product)
    db.session.flush()
    refresh_summaries(p.id for p in touched)


def _free_category_slug(item: ProductPlan) -> str:
    base = slugify(item.category, 140)
    slug, n = base, 1
    while db.session.scalar(select(Category.id).where(Category.slug == slug)):
        n += 1
        slug = f"{base}-{n}"
    return slug


def _apply_options(product: Product, item: ProductPlan) -> bool:
    changed = False
    current = {option.position: option for option in product.options}
    for position, name in enumerate(item.option_names, start=1):
        values: list[str] = []
        for variant in item.variants:
            value = variant.values[position - 1]
            if value and value not in values:
                values.append(value)
        option = current.get(position)
        if not name:
            if option is not None:
                product.options.remove(option)
                changed = True
            continue
        if option is None:
            product.options.append(ProductOption(position=position, name=name[:60], values=values))
            changed = True
        else:
            changed |= _set(option, name=name[:60], values=values)
    return changed


def _apply_variants(product: Product, item: ProductPlan, report: Report) -> bool:
    changed = False
    by_sku = {variant.sku: variant for variant in product.variants}
    for position, plan in enumerate(item.variants):
        values = dict(
            position=position,
            option1=plan.values[0],
            option2=plan.values[1],
            option3=plan.values[2],
            price_cents=plan.price_cents,
            compare_at_cents=plan.compare_at_cents,
            stock=plan.stock,
            weight_grams=plan.weight_grams,
            barcode=plan.barcode[:64],
            is_active=plan.is_active,
        )
        if plan.tax_class is not None:  # the product's class is kept as "" (follow it)
            values["tax_class"] = "" if plan.tax_class == product.tax_class else plan.tax_class
        variant = by_sku.get(plan.sku)
        if variant is None:
            product.variants.append(ProductVariant(sku=plan.sku, **values))
            report.variants_created += 1
            changed = True
        elif _set(variant, **values):
            report.variants_updated += 1
            changed = True
    return changed


def _apply_pictures(product: Product, item: ProductPlan, report: Report, *, fetch: bool) -> bool:
    changed = False
    keys = {image.key for image in product.images}
    for source, alt in item.pictures:
        if source in keys:
            continue
        if re.fullmatch(r"[0-9a-f]{32}", source):
            known = db.session.scalars(
                select(ProductImage).where(ProductImage.key == source).limit(1)
            ).first()
            if known is None and image_path(source, 320) is None:
                report.notes.append(
                    _("Row %(row)d: picture %(key)s is not in this shop; skipped.",
                      row=item.row, key=source)
                )  # fmt: skip
                continue
            if known is not None:
                position = max((i.position for i in product.images), default=-1) + 1
                product.images.append(
                    ProductImage(key=source, width=known.width, height=known.height,
                                 position=position, alt=alt[:200])
                )  # fmt: skip
                keys.add(source)
                changed = True
                continue
        if not fetch:
            report.notes.append(
                _("Row %(row)d: picture %(source)s not fetched (dry run).", row=item.row,
                  source=source)
            )  # fmt: skip
            continue
        data = _picture_bytes(source, item.row, report)
        if data is None:
            continue
        if hashlib.sha256(data).hexdigest()[:32] in keys:
            continue
        try:
            picture = save_product_image(product, data, alt)
        except ImageRejected as error:
            report.notes.append(
                _("Row %(row)d: picture %(source)s skipped: %(why)s", row=item.row,
                  source=source, why=error.message)
            )  # fmt: skip
            continue
        keys.add(picture.key)
        changed = True
    return changed


def _picture_bytes(source: str, row: int, report: Report) -> bytes | None:
    limit = int(current_app.config["MAX_IMAGE_BYTES"])
    try:
        if source.startswith(("http://", "https://")):
            with urllib.request.urlopen(source, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310
                return response.read(limit + 1)
        path = Path(source.removeprefix("file://")).expanduser()
        with path.open("rb") as handle:
            return handle.read(limit + 1)
    except (OSError, ValueError) as error:
        report.notes.append(
            _("Row %(row)d: picture %(source)s not fetched (%(why)s); the product is imported "
              "without it.", row=row, source=source, why=getattr(error, "reason", error))
        )  # fmt: skip
        return None


def import_catalog(
    data: bytes, *, dry_run: bool = False, create_categories: bool = False
) -> Report:
    """Read, check and apply a CSV file in one transaction; see the module docstring."""
    report = Report(dry_run=dry_run)
    try:
        plan = read_catalog(data)
    except ImportRefused as refused:
        report.errors.append(RowError(1, _("file"), refused.message))
        return report
    report.format = plan.format
    report.errors += plan.errors
    if report.errors:
        db.session.rollback()
        return report
    try:
        with db.session.no_autoflush:
            apply_plan(plan, report, create_categories=create_categories, fetch=not dry_run)
    except Exception:
        db.session.rollback()
        raise
    if report.errors or dry_run:
        db.session.rollback()
        return report
    db.session.commit()
    report.applied = True
    return report


def variant_count() -> int:
    return db.session.scalar(select(func.count(ProductVariant.id))) or 0
