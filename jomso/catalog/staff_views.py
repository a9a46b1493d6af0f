"""The back office's catalog pages (catalog and owner roles): products with their pictures,
and categories. Every change shows in the shop at once.

A blueprint of its own (``catalog_admin``) under /staff, so the staff layout, idle expiry and
``Cache-Control: no-store`` apply (jomso/staff/session.py looks at the path).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from jomso.accounts.forms import EmptyForm
from jomso.catalog import (
    bulk_editing,
    category_editing,
    editing,
    picture_editing,
    product_editing,
    variant_editing,
)
from jomso.catalog.admin_forms import (
    DESCRIPTION_MAX,
    NO_CATEGORY,
    CatalogImportForm,
    CategoryForm,
    ImageAltForm,
    ImageUploadForm,
    MoveForm,
    OptionsForm,
    ProductFilterForm,
    ProductForm,
    variant_grid_form,
)
from jomso.catalog.bulk_forms import FILTERS, MAX_TICKED, BulkEditForm, describe_change
from jomso.catalog.images import ImageRejected
from jomso.catalog.markdown import render_markdown
from jomso.catalog.models import Category, Product
from jomso.catalog.stock_levels import low_stock_threshold
from jomso.extensions import db
from jomso.form_checks import report
from jomso.pagination import paginate
from jomso.permissions import Permission, permission_required
from jomso.request_limits import body_limit
from jomso.taxes import services as tax_services

bp = Blueprint("catalog_admin", __name__, url_prefix="/staff", cli_group=None)

PER_PAGE = 50
manage_catalog = permission_required(Permission.MANAGE_CATALOG)


# -- Products ----------------------------------------------------------------------------------


@bp.get("/products")
@manage_catalog
def product_list():
    """Every product, hidden ones too: search by name or SKU, filter by category, stock and
    status; tick some (or take all that match) to change them in bulk."""
    return _render_product_list(request.args, BulkEditForm(formdata=None))


def _filter_form(args) -> tuple[ProductFilterForm, dict[str, str]]:
    """The list's filter form read from ``args``, and its valid filters."""
    form = ProductFilterForm(formdata=args)
    form.category.choices = [("", _("All categories")), ("none", _("No category"))] + [
        (str(c.id), c.name) for c in category_editing.all_categories()
    ]
    form.validate()
    filters = {
        name: (getattr(form, name).data or "") if not getattr(form, name).errors else ""
        for name in ("q", "category", "stock", "status", "sort")
    }
    return form, filters


def _render_product_list(args, bulk_form: BulkEditForm, ticked=frozenset(), status: int = 200):
    low_stock = low_stock_threshold()
    form, filters = _filter_form(args)
    pagination = paginate(
        product_editing.staff_products(
            query=filters["q"],
            category=filters["category"],
            stock=filters["stock"],
            status=filters["status"],
            sort=filters["sort"] or "changed",
            low_stock=low_stock,
        ),
        PER_PAGE,
    )
    for name in FILTERS:  # "all that match the filters" means the filters shown
        bulk_form[name].data = filters[name]
    return render_template(
        "staff/catalog/product_list.html",
        form=form,
        bulk_form=bulk_form,
        ticked=ticked,
        filtered=any(filters[k] for k in FILTERS),
        pagination=pagination,
        image_keys=product_editing.first_image_keys([p.id for p in pagination.items]),
        low_stock=low_stock,
    ), status


@bp.post("/products/bulk")
@manage_catalog
def product_bulk_edit():
    """Apply one change to the ticked products at once, or, after a page that says how many
    products and variants it will change, to every product the list's filters match."""
    bulk_form = BulkEditForm()
    ticked = {int(v) for v in request.form.getlist("product")[:MAX_TICKED] if v.isdigit()}
    filters = bulk_form.filters()

    def again():
        return _render_product_list(MultiDict(filters), bulk_form, ticked, 422)

    if not bulk_form.validate():
        return again()
    change = bulk_form.change()
    if change is None:
        return again()
    if bulk_form.scope.data == "filtered":
        conditions = product_editing.staff_filters(
            filters["q"], filters["category"], filters["stock"], filters["status"],
            low_stock_threshold(),
        )  # fmt: skip
        product_ids = bulk_editing.ids_matching(conditions)
    else:
        product_ids = bulk_editing.existing_ids(sorted(ticked))
        if len(request.form.getlist("product")) > MAX_TICKED:
            bulk_form.scope.errors = [_("Tick at most %(num)d products.", num=MAX_TICKED)]
            return again()
    if not product_ids:
        bulk_form.scope.errors = [
            _("No product matches these filters.")
            if bulk_form.scope.data == "filtered"
            else _("Tick at least one product first.")
        ]
        return again()
    if bulk_form.scope.data == "filtered" and bulk_form.confirm.data != "yes":
        return render_template(
            "staff/catalog/bulk_confirm.html",
            bulk_form=bulk_form,
            counts=bulk_editing.counts(product_ids),
            change_text=describe_change(change),
            list_url=url_for(".product_list", **{k: v for k, v in filters.items() if v}),
        )
    try:
        result = bulk_editing.apply_change(change, product_ids, current_user._get_current_object())
    except editing.CatalogError as error:
        _field_error(bulk_form, error)
        return again()
    flash(
        ngettext(
            "%(num)d product changed (%(variants)s): %(change)s.",
            "%(num)d products changed (%(variants)s): %(change)s.",
            result.products,
            variants=ngettext("%(num)d variant", "%(num)d variants", result.variants),
            change=describe_change(change),
        ),
        "success",
    )
    return redirect(url_for(".product_list", **{k: v for k, v in filters.items() if v}), 303)


def _product_form(product: Product | None = None, from_request: bool = True) -> ProductForm:
    """The product form, filled from the request on POST (unless ``from_request`` is False:
    another form of the page was sent), else from ``product``."""
    data = None
    if product is not None:
        data = {
            "name": product.name,
            "slug": product.slug,
            "sku": product.default_variant.sku if product.default_variant else "",
            "category": product.category_id or NO_CATEGORY,
            "price": product.price_cents,
            "stock": product.stock_total,
            "is_active": product.is_active,
            "description": product.description,
            "low_stock_threshold": product.low_stock_threshold,
            "tax_class": product.tax_class,
        }
    form = ProductForm(data=data) if from_request else ProductForm(formdata=None, data=data)
    form.category.choices = [(NO_CATEGORY, _("No category"))] + [
        (c.id, c.name) for c in category_editing.all_categories()
    ]
    form.tax_class.choices = tax_services.class_choices()
    return form


def _product_data(form: ProductForm) -> product_editing.ProductData:
    return product_editing.ProductData(
        name=form.name.data,
        slug=form.slug.data or "",
        sku=form.sku.data,
        category_id=form.category.data or None,
        price_cents=form.price.data,
        stock=form.stock.data,
        is_active=form.is_active.data,
        description=form.description.data or "",
        low_stock_threshold=form.low_stock_threshold.data,
        tax_class=form.tax_class.data or "standard",
    )


def _preview(form: ProductForm) -> dict:
    """What the product page would show, from the form as typed (nothing is saved)."""
    category = dict(form.category.choices).get(form.category.data)
    return {
        "name": form.name.data or _("(no name yet)"),
        "price_cents": form.price.data,
        "price_text": (form.price.raw_data or [""])[0],
        "stock": form.stock.data,
        "category": category if form.category.data else None,
        "is_active": form.is_active.data,
        "description": render_markdown(form.description.data),
    }


def _save_product(form: ProductForm, product: Product | None):
    """Handle the form's Save or Preview button; returns a response, or None to re-render."""
    if request.form.get("action") == "preview":
        return None
    valid = form.validate()  # every problem at once: what was typed, then the catalog's rules
    problems = product_editing.product_problems(_product_data(form), product)
    if not (_report(form, problems) and valid):
        return None
    try:
        saved = product_editing.save_product(_product_data(form), product)
    except editing.CatalogError as error:
        _field_error(form, error)
        return None
    if product is None:
        flash(_("“%(name)s” is created. Add its pictures below.", name=saved.name), "success")
    elif saved.is_active:
        flash(_("Saved. The shop shows the change now."), "success")
    else:
        flash(_("Saved. The product is hidden from the shop."), "success")
    return redirect(url_for(".product_edit", product_id=saved.id))


def _report(form, errors: list[editing.CatalogError]) -> bool:
    """The catalog's refusals beside their fields; True when there is none."""
    return report(form, [(error.field, error.message) for error in errors])


def _field_error(form, error: editing.CatalogError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


@bp.route("/products/new", methods=["GET", "POST"])
@body_limit(text_characters=DESCRIPTION_MAX)
@manage_catalog
def product_new():
    form = _product_form()
    if request.method == "POST":
        response = _save_product(form, None)
        if response is not None:
            return response
    return _render_product(form, None)


@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
@body_limit(text_characters=DESCRIPTION_MAX)
@manage_catalog
def product_edit(product_id: int):
    """The product form, with its pictures and the on-sale switch beside it."""
    product = product_editing.get_product(product_id) or abort(404)
    form = _product_form(product)
    if request.method == "POST":
        response = _save_product(form, product)
        if response is not None:
            return response
    return _render_product(form, product)


def _render_product(
    form: ProductForm,
    product: Product | None,
    upload_form: ImageUploadForm | None = None,
    alt_forms: dict | None = None,
):
    """The new/edit page. A POST that did not save comes back with 422 (errors) or 200
    (a preview)."""
    previewing = request.method == "POST" and request.form.get("action") == "preview"
    has_errors = bool(form.errors) or bool(upload_form and upload_form.errors)
    has_errors = has_errors or any(f.errors for f in (alt_forms or {}).values())
    status = 422 if has_errors else 200
    pictures = []
    if product is not None:
        alt_forms = alt_forms or {}
        for image in sorted(product.images, key=lambda p: (p.position, p.id)):
            alt_form = alt_forms.get(image.id) or ImageAltForm(
                prefix=f"image-{image.id}-", formdata=None, data={"alt": image.alt}
            )
            pictures.append((image, alt_form))
    return (
        render_template(
            "staff/catalog/product_form.html",
            form=form,
            product=product,
            preview=_preview(form) if previewing else None,
            upload_form=upload_form or ImageUploadForm(formdata=None),
            pictures=pictures,
            action_form=EmptyForm(),
            move_form=MoveForm(formdata=None),
            max_image_mb=_megabytes("MAX_IMAGE_BYTES"),
            max_images=picture_editing.MAX_IMAGES_PER_PRODUCT,
        ),
        status,
    )


def _megabytes(setting: str) -> str:
    size = int(current_app.config[setting])
    return f"{size / 2**20:.0f}" if size >= 2**20 else f"{size / 2**20:.1f}"


@bp.post("/products/<int:product_id>/activate")
@manage_catalog
def product_activate(product_id: int):
    return _set_active(product_id, True)


@bp.post("/products/<int:product_id>/deactivate")
@manage_catalog
def product_deactivate(product_id: int):
    return _set_active(product_id, False)


def _set_active(product_id: int, active: bool):
    product = product_editing.get_product(product_id) or abort(404)
    if EmptyForm().validate_on_submit():
        product_editing.set_product_active(product, active)
        if active:
            flash(_("“%(name)s” is on sale in the shop again.", name=product.name), "success")
        else:
            flash(
                _("“%(name)s” is hidden: it no longer shows in the shop.", name=product.name),
                "success",
            )
    return redirect(url_for(".product_edit", product_id=product.id))


# -- Import and export ------------------------------------------------------------------------


@bp.get("/products/export.csv")
@manage_catalog
def product_export():
    """The whole catalog as Jomso's CSV: the same file as ``flask export-products``."""
    from jomso.catalog.csv_export import export_header, export_rows
    from jomso.csv_export import csv_response

    return csv_response("products.csv", export_header(), export_rows())


@bp.route("/products/import", methods=["GET", "POST"])
@body_limit(file_setting="MAX_CATALOG_IMPORT_BYTES")
@manage_catalog
def product_import():
    """Upload a catalog CSV (Jomso's or Shopify's); the report shows on the page. On any
    error nothing is imported; "only check" changes nothing."""
    from jomso.catalog.csv_import import ImportRefused, import_catalog, read_limited

    form = CatalogImportForm()
    report = None
    status = 200
    if form.validate_on_submit():
        try:
            data = read_limited(form.file.data.stream)
        except ImportRefused as refused:
            form.file.errors = [*form.file.errors, refused.message]
            status = 422
        else:
            report = import_catalog(
                data, dry_run=form.dry_run.data, create_categories=form.create_categories.data
            )
            if report.errors:
                status = 422
    elif form.is_submitted():
        status = 422
    return render_template(
        "staff/catalog/product_import.html",
        form=form,
        report=report,
        max_mb=_megabytes("MAX_CATALOG_IMPORT_BYTES"),
    ), status


# -- Variants ----------------------------------------------------------------------------------


def _grid_rows(form, product: Product) -> dict[int, variant_editing.VariantRow]:
    rows = {}
    for variant in product.variants:

        def value(name, v=variant):
            return form[variant_editing.cell(v.id, name)].data

        rows[variant.id] = variant_editing.VariantRow(
            sku=value("sku") or "",
            price_cents=value("price"),
            compare_at_cents=value("compare_at"),
            stock=value("stock") if value("stock") is not None else 0,
            weight_grams=value("weight") if value("weight") is not None else 0,
            barcode=value("barcode") or "",
            is_active=bool(value("active")),
            tax_class=value("tax_class") or "",
        )
    return rows


def _options_form(product: Product, formdata=None) -> OptionsForm:
    data = {}
    for option in product.options:
        data[f"option{option.position}_name"] = option.name
        data[f"option{option.position}_values"] = ", ".join(option.values)
    if formdata is None:
        return OptionsForm(formdata=None, data=data)
    return OptionsForm(data=data)


def _render_variants(product: Product, form=None, status: int = 200, options_form=None):
    form = form or variant_grid_form(product.variants, tax_classes=tax_services.class_choices())
    return (
        render_template(
            "staff/catalog/variants.html",
            product=product,
            form=form,
            options_form=options_form or _options_form(product),
            variants=sorted(product.variants, key=lambda v: (v.position, v.id)),
            cell=variant_editing.cell,
            action_form=EmptyForm(),
        ),
        status,
    )


@bp.route("/products/<int:product_id>/variants", methods=["GET", "POST"])
@manage_catalog
def product_variants(product_id: int):
    """The variant grid: every variant's SKU, prices, stock, weight, barcode and switch in
    one form; every problem beside its cell in one pass."""
    product = product_editing.get_product(product_id) or abort(404)
    if request.method == "GET":
        return _render_variants(product)
    form = variant_grid_form(
        product.variants, formdata=True, tax_classes=tax_services.class_choices()
    )
    valid = form.validate()
    rows = _grid_rows(form, product)
    valid = report(form, variant_editing.grid_problems(product, rows)) and valid
    if valid:
        try:
            variant_editing.save_grid(product, rows)
        except editing.CatalogError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Variants saved."), "success")
            return redirect(url_for(".product_variants", product_id=product.id))
    return _render_variants(product, form, 422)


@bp.post("/products/<int:product_id>/options")
@manage_catalog
def product_options(product_id: int):
    """Add, rename and remove options and order their values; every problem at once."""
    product = product_editing.get_product(product_id) or abort(404)
    options_form = _options_form(product, formdata=True)
    valid = options_form.validate()
    typed = [
        (
            options_form[f"option{n}_name"].data or "",
            variant_editing.split_values(options_form[f"option{n}_values"].data),
        )
        for n in range(1, variant_editing.MAX_OPTIONS + 1)
    ]
    if valid:
        valid = report(options_form, variant_editing.options_problems(product, typed))
    if valid:
        try:
            variant_editing.save_options(product, typed)
        except editing.CatalogError as error:
            options_form.form_errors.append(error.message)
        else:
            flash(_("Options saved."), "success")
            return redirect(url_for(".product_variants", product_id=product.id))
    grid = variant_grid_form(product.variants, tax_classes=tax_services.class_choices())
    return _render_variants(product, grid, 422, options_form=options_form)


@bp.post("/products/<int:product_id>/variants/generate")
@manage_catalog
def product_variants_generate(product_id: int):
    """Make the missing combinations of the option values (stock 0, not on sale yet)."""
    product = product_editing.get_product(product_id) or abort(404)
    if EmptyForm().validate_on_submit():
        try:
            made = variant_editing.generate_combinations(product)
        except editing.CatalogError as error:
            flash(error.message, "error")
        else:
            if made:
                flash(
                    ngettext(
                        "%(num)d variant made: fill in its stock and put it on sale.",
                        "%(num)d variants made: fill in their stock and put them on sale.",
                        made,
                    ),
                    "success",
                )
            else:
                flash(_("Every combination has its variant already."), "success")
    return redirect(url_for(".product_variants", product_id=product.id))


@bp.post("/products/<int:product_id>/variants/<int:variant_id>/delete")
@manage_catalog
def product_variant_delete(product_id: int, variant_id: int):
    """Remove one variant; orders that sold it keep their lines."""
    product = product_editing.get_product(product_id) or abort(404)
    variant = variant_editing.get_variant(product, variant_id) or abort(404)
    if EmptyForm().validate_on_submit():
        title = variant.title or variant.sku
        try:
            variant_editing.delete_variant(product, variant)
        except editing.CatalogError as error:
            flash(error.message, "error")
        else:
            flash(_("Variant “%(title)s” removed.", title=title), "success")
    return redirect(url_for(".product_variants", product_id=product.id))


# -- Pictures ----------------------------------------------------------------------------------


def _product_and_image(product_id: int, image_id: int):
    product = product_editing.get_product(product_id) or abort(404)
    image = picture_editing.get_product_image(product, image_id) or abort(404)
    return product, image


def _to_pictures(product: Product):
    return redirect(url_for(".product_edit", product_id=product.id, _anchor="pictures"))


@bp.post("/products/<int:product_id>/images")
@body_limit(file_setting="MAX_IMAGE_BYTES")  # the one view that takes a large body
@manage_catalog
def product_image_upload(product_id: int):
    """Upload a picture (JPEG, PNG or WebP, judged by its content, not its name). A refused
    file comes back beside the field with nothing stored."""
    product = product_editing.get_product(product_id) or abort(404)
    upload_form = ImageUploadForm()
    if upload_form.validate_on_submit():
        try:
            picture_editing.add_product_image(
                product, upload_form.image.data.stream, alt=upload_form.image_alt.data or ""
            )
        except (ImageRejected, editing.CatalogError) as error:
            db.session.rollback()
            upload_form.image.errors = [*upload_form.image.errors, error.message]
        else:
            flash(_("Picture added."), "success")
            return _to_pictures(product)
    return _render_product(_product_form(product, False), product, upload_form=upload_form)


@bp.post("/products/<int:product_id>/images/<int:image_id>")
@manage_catalog
def product_image_update(product_id: int, image_id: int):
    """Change a picture's description (its alt text)."""
    product, image = _product_and_image(product_id, image_id)
    alt_form = ImageAltForm(prefix=f"image-{image.id}-")
    if not alt_form.validate_on_submit():
        form = _product_form(product, from_request=False)
        return _render_product(form, product, alt_forms={image.id: alt_form})
    picture_editing.update_image_alt(image, alt_form.alt.data or "")
    flash(_("Picture description saved."), "success")
    return _to_pictures(product)


@bp.post("/products/<int:product_id>/images/<int:image_id>/move")
@manage_catalog
def product_image_move(product_id: int, image_id: int):
    product, image = _product_and_image(product_id, image_id)
    form = MoveForm()
    if form.validate_on_submit():
        picture_editing.move_image(image, form.direction.data)
    return _to_pictures(product)


@bp.post("/products/<int:product_id>/images/<int:image_id>/delete")
@manage_catalog
def product_image_delete(product_id: int, image_id: int):
    product, image = _product_and_image(product_id, image_id)
    if EmptyForm().validate_on_submit():
        picture_editing.delete_product_image(image)
        flash(_("Picture deleted."), "success")
    return _to_pictures(product)


# -- Categories --------------------------------------------------------------------------------


@bp.get("/categories")
@manage_catalog
def category_list():
    return _render_categories(CategoryForm(formdata=None))


def _render_categories(form: CategoryForm, status: int = 200):
    return (
        render_template(
            "staff/catalog/category_list.html",
            rows=category_editing.category_rows(),
            form=form,
            action_form=EmptyForm(),
            move_form=MoveForm(formdata=None),
        ),
        status,
    )


@bp.post("/categories/new")
@manage_catalog
def category_new():
    form = CategoryForm()
    valid = form.validate_on_submit()
    valid = _report(form, category_editing.category_problems(form.slug.data or "")) and valid
    if valid:
        try:
            category = category_editing.save_category(form.name.data, form.slug.data or "")
        except editing.CatalogError as error:
            _field_error(form, error)
        else:
            flash(_("Category “%(name)s” added.", name=category.name), "success")
            return redirect(url_for(".category_list"))
    return _render_categories(form, 422)


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@manage_catalog
def category_edit(category_id: int):
    """Rename a category; its web address stays unless a new one is typed."""
    category = category_editing.get_category(category_id) or abort(404)
    form = CategoryForm(data={"name": category.name, "slug": category.slug})
    valid = form.validate_on_submit()
    if request.method == "POST":
        problems = category_editing.category_problems(form.slug.data or "", category)
        valid = _report(form, problems) and valid
    if valid:
        try:
            category_editing.save_category(form.name.data, form.slug.data or "", category)
        except editing.CatalogError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            flash(_("Category “%(name)s” saved.", name=category.name), "success")
            return redirect(url_for(".category_list"))
    status = 422 if form.errors else 200
    return render_template("staff/catalog/category_edit.html", form=form, category=category), status


@bp.post("/categories/<int:category_id>/move")
@manage_catalog
def category_move(category_id: int):
    category = category_editing.get_category(category_id) or abort(404)
    form = MoveForm()
    if form.validate_on_submit():
        category_editing.move_category(category, form.direction.data)
    return redirect(url_for(".category_list", _anchor=f"category-{category.id}"))


@bp.post("/categories/<int:category_id>/delete")
@manage_catalog
def category_delete(category_id: int):
    category: Category = category_editing.get_category(category_id) or abort(404)
    if EmptyForm().validate_on_submit():
        name = category.name
        try:
            category_editing.delete_category(category)
        except editing.CatalogError as error:
            flash(error.message, "error")
        else:
            flash(_("Category “%(name)s” deleted.", name=name), "success")
    return redirect(url_for(".category_list"))
