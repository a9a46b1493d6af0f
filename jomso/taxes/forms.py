"""The owner's forms for the tax settings, tax classes and rates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from jomso.taxes.models import ShippingRule


def _strip(value):
    return value.strip() if isinstance(value, str) else value


SHIPPING_RULE_LABELS = {
    ShippingRule.NONE: _l("Shipping is not taxed"),
    ShippingRule.STANDARD: _l("Shipping is taxed at the standard rate"),
    ShippingRule.PROPORTIONAL: _l(
        "Shipping is taxed in proportion to the cart's tax classes (the EU's usual rule)"
    ),
}


class SettingsForm(FlaskForm):
    prices_include_tax = RadioField(
        _l("Prices in the catalog"),
        choices=[
            ("yes", _l("include tax (EU style: “incl. VAT”)")),
            ("no", _l("do not include tax: it is added at checkout (US style: “plus tax”)")),
        ],
        validators=[DataRequired(_l("Choose whether your prices include tax."))],
    )
    shipping_rule = RadioField(
        _l("Tax on shipping"),
        choices=list(SHIPPING_RULE_LABELS.items()),
        validators=[DataRequired(_l("Choose how shipping is taxed."))],
    )


class ClassForm(FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[_strip],
        validators=[DataRequired(_l("Give the class a name.")), Length(max=80)],
    )
    code = StringField(
        _l("Code"),
        filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
        description=_l(
            "What products and the catalog CSV name it by, such as “books”: lower-case "
            "letters, digits and dashes. It cannot be changed later."
        ),
        validators=[
            DataRequired(_l("Give the class a code.")),
            Length(max=40),
            Regexp(
                r"^[a-z0-9][a-z0-9-]*$", message=_l("Use lower-case letters, digits and dashes.")
            ),
        ],
    )


class RateForm(FlaskForm):
    tax_class = SelectField(_l("Tax class"))
    place = StringField(
        _l("Country or region"),
        filters=[_strip],
        description=_l("A country code such as DE, or a state or province as US-CA or CA-QC."),
        validators=[DataRequired(_l("Enter a country or region code.")), Length(max=110)],
    )
    rate = StringField(
        _l("Rate (%)"),
        filters=[_strip],
        description=_l("A percentage such as 20, 5.5 or 8.875."),
        validators=[DataRequired(_l("Enter the rate.")), Length(max=12)],
    )
