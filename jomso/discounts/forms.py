"""The staff's form for a discount code."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from jomso.catalog.admin_forms import PriceField, WholeNumberField
from jomso.discounts.models import DiscountKind


def _strip(value):
    return value.strip() if isinstance(value, str) else value


KIND_LABELS = {
    DiscountKind.PERCENT: _l("Percent off"),
    DiscountKind.AMOUNT: _l("Amount off"),
    DiscountKind.FREE_SHIPPING: _l("Free shipping"),
}


class DiscountCodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        filters=[_strip],
        description=_l(
            "Letters, digits, - and _. Customers may type it in any case and with spaces; "
            "O and 0, I, 1 and L count as the same."
        ),
        validators=[DataRequired(_l("Give the code.")), Length(max=60)],
    )
    kind = SelectField(_l("Gives"), choices=list(KIND_LABELS.items()))
    percent = WholeNumberField(_l("Percent off"), validators=[Optional()])
    amount = PriceField(_l("Amount off"), validators=[Optional()])
    min_subtotal = PriceField(_l("Minimum subtotal"), validators=[Optional()])
    starts_on = DateField(_l("Valid from"), validators=[Optional()])
    ends_on = DateField(_l("Valid until (inclusive)"), validators=[Optional()])
    usage_limit = WholeNumberField(_l("Uses in all"), validators=[Optional()])
    per_customer_limit = WholeNumberField(_l("Uses per customer"), validators=[Optional()])
    categories = SelectMultipleField(_l("Only for these categories"), coerce=int)
    products = StringField(
        _l("Only for these products"),
        filters=[_strip],
        description=_l("Their web addresses' last part (slug), separated by commas."),
        validators=[Length(max=4000)],
    )
    is_active = BooleanField(_l("Active"), default=True)
