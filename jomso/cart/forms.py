"""Cart forms: every one posts a CSRF token; quantities are checked here, stock in services."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import ValidationError
from wtforms.widgets import HiddenInput, NumberInput


class QuantityField(IntegerField):
    """A whole number typed by a person; anything else gets one clear message."""

    widget = NumberInput(min=0, step=1)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0].strip()
        if not raw or len(raw) > 9 or not raw.lstrip("-+").isdigit() or not raw.isascii():
            self.data = None
            raise ValueError(str(_l("Please enter a whole number.")))
        self.data = int(raw)


class ProductIdField(IntegerField):
    """The product a form is about; a value that is no product id marks a tampered form."""

    widget = HiddenInput()

    def process_formdata(self, valuelist):
        self.data = None
        raw = valuelist[0] if valuelist else ""
        if raw.isascii() and raw.isdigit() and len(raw) < 12:
            self.data = int(raw)


def _quantity_range(minimum: int):
    def check(form, field):
        if field.data is None:
            if not field.errors:  # the typed text was no number: already said so
                raise ValidationError(_l("Please enter a whole number."))
            return
        maximum = int(current_app.config["CART_MAX_QUANTITY"])
        if not minimum <= field.data <= maximum:
            raise ValidationError(
                _l("Please enter a number from %(min)d to %(max)d.", min=minimum, max=maximum)
            )

    return check


# Labels are given even for hidden fields: WTForms would otherwise translate a made-up label,
# which makes Flask-WTF load its message catalog from disk on every page with the form.
class AddToCartForm(FlaskForm):
    """The product page's form: the product, and its variant by the value chosen for each
    option (``option1``..``option3``, plain request fields read by the view, since which
    options there are depends on the product)."""

    product_id = ProductIdField(_l("Product"))
    quantity = QuantityField(_l("Quantity"), default=1, validators=[_quantity_range(1)])


class UpdateItemForm(FlaskForm):
    variant_id = ProductIdField(_l("Product"))
    quantity = QuantityField(_l("Quantity"), validators=[_quantity_range(0)])


class RemoveItemForm(FlaskForm):
    variant_id = ProductIdField(_l("Product"))


# Where a discount form was sent from, and goes back to.
DISCOUNT_BACK = ("cart", "checkout")


class DiscountForm(FlaskForm):
    """A discount code, typed in the cart or at checkout. Whether it applies is the services'
    to say; here only its length (a longer text is no code: a tampered field)."""

    discount_code = StringField(_l("Discount code"))
    back = HiddenField()

    def typed(self) -> str:
        return (self.discount_code.data or "")[:200]

    def back_to(self) -> str:
        return self.back.data if self.back.data in DISCOUNT_BACK else "cart"


class RemoveDiscountForm(FlaskForm):
    back = HiddenField()

    def back_to(self) -> str:
        return self.back.data if self.back.data in DISCOUNT_BACK else "cart"
