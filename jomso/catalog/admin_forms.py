"""Back-office catalog forms: products, images, categories. Each keeps what was typed and puts
its message beside the field; uniqueness (slug, SKU) is checked by ``product_editing`` and
``category_editing``."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import (
    NumberFormatError,
    format_decimal,
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from jomso.catalog.stock_levels import low_stock_threshold
from jomso.i18n import current_locale

MAX_PRICE_UNITS = 1_000_000  # a price of a million or more is surely a typing slip
MAX_STOCK = 1_000_000
DESCRIPTION_MAX = 20_000  # characters of a product description
SKU_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")
NO_CATEGORY = 0  # the category select's value for "no category"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def parse_price(text: str, allow_zero: bool = False) -> int:
    """A price typed in the shop's locale ("1,234.50", "$12", "12,50 €" for de_DE) as integer
    minor units of the shop's currency (0 only with ``allow_zero``: a free delivery). ValueError
    carries the message for the field."""
    config = current_app.config
    locale, currency = current_locale(), config["CURRENCY"]
    precision = get_currency_precision(currency)
    example = format_decimal(Decimal(1250).scaleb(-2), format=_pattern(precision), locale=locale)
    wrong = _("Enter the price as a number, such as %(example)s.", example=example)
    cleaned = text.replace(get_currency_symbol(currency, locale), "").replace(currency, "")
    cleaned = "".join(cleaned.split())  # spaces, including the non-breaking ones
    allowed = set("0123456789") | {get_decimal_symbol(locale), get_group_symbol(locale)}
    if cleaned.startswith("-"):
        raise ValueError(_("The price cannot be negative."))
    if not cleaned or not set(cleaned) <= allowed:
        raise ValueError(wrong)
    try:
        amount = parse_decimal(cleaned, locale=locale, strict=True)
    except (NumberFormatError, InvalidOperation):
        raise ValueError(wrong) from None
    if amount >= MAX_PRICE_UNITS:  # first: quantizing 30 nines overflows the context
        raise ValueError(_("That price is too high. Please check it."))
    if amount != amount.quantize(Decimal(1).scaleb(-precision)):
        raise ValueError(
            _("Use at most %(num)d decimal places.", num=precision)
            if precision
            else _("Use a whole number: this currency has no cents.")
        )
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValueError(_("The price must be more than zero."))
    return int(amount.scaleb(precision))


def format_price_input(cents: int | None) -> str:
    """Cents as the plain number a person would type in the price field ("12.50")."""
    if cents is None:
        return ""
    config = current_app.config
    precision = get_currency_precision(config["CURRENCY"])
    amount = Decimal(int(cents)).scaleb(-precision)
    return format_decimal(amount, format=_pattern(precision), locale=current_locale())


def _pattern(precision: int) -> str:
    return "0." + "0" * precision if precision else "0"


class PriceField(StringField):
    """A price in the shop's currency, typed as a decimal; ``data`` is integer cents. With
    ``allow_zero=True``, 0 is a price too (a free delivery)."""

    def __init__(self, *args, allow_zero: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.allow_zero = allow_zero

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_price_input(self.data)

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist:
            return  # InputRequired says so
        if not valuelist[0].strip():
            raise ValueError(_("Enter the price."))
        try:
            self.data = parse_price(valuelist[0], allow_zero=self.allow_zero)
        except ValueError as error:
            raise ValueError(str(error)) from None


class WholeNumberField(IntegerField):
    """An integer field whose unreadable input gets the shop's own message."""

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return  # InputRequired says so
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            raise ValueError(_("Enter a whole number, 0 or more.")) from None


class OptionalWholeNumberField(WholeNumberField):
    """A whole number that may be left empty (``data`` None)."""

    def process_formdata(self, valuelist):
        if valuelist and not valuelist[0].strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class ProductForm(FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[_strip],
        validators=[DataRequired(_l("Give the product a name.")), Length(max=200)],
    )
    slug = StringField(
        _l("Web address name (slug)"), filters=[_strip], validators=[Length(max=220)]
    )
    sku = StringField(
        _l("SKU"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter the SKU (stock keeping unit).")), Length(max=64)],
    )
    category = SelectField(_l("Category"), coerce=int, default=NO_CATEGORY)
    price = PriceField(_l("Price"), validators=[InputRequired(_l("Enter the price."))])
    stock = WholeNumberField(
        _l("In stock"),
        validators=[InputRequired(_l("Enter how many are in stock (0 when sold out)."))],
    )
    low_stock_threshold = OptionalWholeNumberField(_l("Low-stock email at"))
    is_active = BooleanField(_l("On sale: shown in the shop"), default=True)
    # Its choices are the shop's tax classes (set by the view).
    tax_class = SelectField(_l("Tax class"), default="standard")
    description = TextAreaField(
        _l("Description"), validators=[Length(max=DESCRIPTION_MAX)], render_kw={"rows": 12}
    )

    def validate_sku(self, field):
        if field.data and not SKU_PATTERN.fullmatch(field.data):
            raise ValidationError(
                _l("Use letters, digits and . _ / - only, starting with a letter or digit.")
            )

    def validate_low_stock_threshold(self, field):
        if field.data is not None and not 0 <= field.data <= MAX_STOCK:
            raise ValidationError(_l("Enter a whole number, 0 or more."))

    def validate_stock(self, field):
        if field.data is None:
            return  # unreadable: WholeNumberField said so
        if field.data < 0:
            raise ValidationError(_l("Stock cannot be negative."))
        if field.data > MAX_STOCK:
            raise ValidationError(_l("That is more than the shop can count."))


class ImageUploadForm(FlaskForm):
    image = FileField(
        _l("Picture"),
        validators=[FileRequired(_l("Choose a picture to upload."))],
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
    image_alt = StringField(
        _l("Describe the picture (for people who cannot see it)"),
        filters=[_strip],
        validators=[Length(max=200)],
    )


class ImageAltForm(FlaskForm):
    """Rendered once per picture with ``prefix=f"image-{id}-"`` so the ids stay unique."""

    alt = StringField(_l("Description"), filters=[_strip], validators=[Length(max=200)])


class MoveForm(FlaskForm):
    """Up/down buttons: the pressed button sends ``direction``."""

    direction = SelectField(choices=[("up", _l("Up")), ("down", _l("Down"))])


class CategoryForm(FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[_strip],
        validators=[DataRequired(_l("Give the category a name.")), Length(max=120)],
    )
    slug = StringField(
        _l("Web address name (slug)"), filters=[_strip], validators=[Length(max=140)]
    )


class ProductFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter form

    q = StringField(_l("Name or SKU"), filters=[_strip], validators=[Length(max=200)])
    category = SelectField(_l("Category"), default="", validate_choice=False)
    stock = SelectField(
        _l("Stock"),
        default="",
        choices=lambda: [
            ("", _l("Any stock")),
            ("low", _l("Low: %(num)d or fewer", num=low_stock_threshold())),
            ("out", _l("Sold out")),
        ],
    )
    status = SelectField(
        _l("Status"),
        default="",
        choices=[
            ("", _l("On sale and hidden")),
            ("active", _l("On sale")),
            ("inactive", _l("Hidden")),
        ],
    )
    sort = SelectField(
        _l("Sort"),
        default="changed",
        choices=[
            ("changed", _l("Recently changed")),
            ("name", _l("Name")),
            ("stock", _l("Stock, lowest first")),
        ],
    )


class CatalogImportForm(FlaskForm):
    """The staff upload of a catalog CSV (Jomso's own or Shopify's)."""

    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(_l("Choose a CSV file to import."))],
        render_kw={"accept": ".csv,text/csv"},
    )
    create_categories = BooleanField(_l("Create the categories the file names that are missing"))
    dry_run = BooleanField(_l("Only check the file (change nothing)"))


class OptionalPriceField(PriceField):
    """A price that may be left empty (``data`` None): a variant's own price, a compare-at
    price."""

    def process_formdata(self, valuelist):
        if valuelist and not valuelist[0].strip():
            self.data = None
            return
        super().process_formdata(valuelist)


def _not_negative(form, field):
    if field.data is not None and field.data < 0:
        raise ValidationError(_("Enter a whole number, 0 or more."))


def variant_grid_form(variants, formdata=None, tax_classes=()) -> FlaskForm:
    """One form for a product's variant grid: per variant ``v<id>_sku``, ``_price``,
    ``_compare_at``, ``_stock``, ``_weight``, ``_barcode``, ``_tax_class``, ``_active`` (see
    variant_editing.cell). Only these variants' fields exist: tampered ids are never read.
    ``tax_classes``: (code, name) of the shop's tax classes; a variant's empty class is its
    product's."""

    class VariantGridForm(FlaskForm):
        pass

    data = {}
    for v in variants:
        p = f"v{v.id}_"
        setattr(VariantGridForm, p + "sku", StringField(_l("SKU"), filters=[_strip],
                validators=[InputRequired(_l("Enter the SKU.")), Length(max=64)]))  # fmt: skip
        setattr(VariantGridForm, p + "price", OptionalPriceField(_l("Price")))
        setattr(VariantGridForm, p + "compare_at", OptionalPriceField(_l("Compare-at price")))
        setattr(VariantGridForm, p + "stock", WholeNumberField(_l("Stock"),
                validators=[InputRequired(_l("Enter the stock.")), _not_negative]))  # fmt: skip
        setattr(VariantGridForm, p + "weight", WholeNumberField(_l("Weight (g)"),
                validators=[InputRequired(_l("Enter the weight.")), _not_negative]))  # fmt: skip
        setattr(VariantGridForm, p + "barcode", StringField(_l("Barcode"), filters=[_strip],
                validators=[Length(max=64)]))  # fmt: skip
        setattr(VariantGridForm, p + "tax_class", SelectField(_l("Tax class"),
                choices=[("", _l("As the product")), *tax_classes]))  # fmt: skip
        setattr(VariantGridForm, p + "active", BooleanField(_l("On sale")))
        data.update({p + "sku": v.sku, p + "price": v.price_cents,
                     p + "compare_at": v.compare_at_cents, p + "stock": v.stock,
                     p + "weight": v.weight_grams, p + "barcode": v.barcode,
                     p + "tax_class": v.tax_class,
                     p + "active": v.is_active})  # fmt: skip
    if formdata is None:
        return VariantGridForm(formdata=None, data=data)
    return VariantGridForm(data=data)


class OptionsForm(FlaskForm):
    """A product's options: up to three, each a name and its values in order, separated by
    commas."""

    option1_name = StringField(_l("Option 1"), filters=[_strip], validators=[Length(max=60)])
    option1_values = StringField(_l("Values of option 1"), filters=[_strip])
    option2_name = StringField(_l("Option 2"), filters=[_strip], validators=[Length(max=60)])
    option2_values = StringField(_l("Values of option 2"), filters=[_strip])
    option3_name = StringField(_l("Option 3"), filters=[_strip], validators=[Length(max=60)])
    option3_values = StringField(_l("Values of option 3"), filters=[_strip])
