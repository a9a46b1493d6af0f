"""The owner's forms for shipping zones and methods."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from jomso.catalog.admin_forms import PriceField
from jomso.shipping.models import MethodKind

PICKUP_ZONE = 0  # the zone select's value for a local pickup (no zone)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ZoneForm(FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[_strip],
        validators=[DataRequired(_l("Give the zone a name.")), Length(max=120)],
    )
    areas = TextAreaField(
        _l("Countries and regions"),
        description=_l(
            "Country codes such as DE or FR, a state or province as US-CA or CA-QC, or * for "
            "every country no other zone names. Separate them with commas or new lines."
        ),
        validators=[DataRequired(_l("Name at least one country or region.")), Length(max=4000)],
        render_kw={"rows": 4},
    )


KIND_LABELS = {
    MethodKind.FLAT: _l("Flat rate"),
    MethodKind.FREE_ABOVE: _l("Flat rate, free from a subtotal"),
    MethodKind.WEIGHT: _l("By weight"),
    MethodKind.PICKUP: _l("Local pickup (no address needed)"),
}


class MethodForm(FlaskForm):
    zone = SelectField(_l("Zone"), coerce=int)
    name = StringField(
        _l("Name customers see"),
        filters=[_strip],
        validators=[DataRequired(_l("Give the method a name.")), Length(max=120)],
    )
    kind = SelectField(_l("Kind"), choices=list(KIND_LABELS.items()))
    price = PriceField(
        _l("Price"),
        allow_zero=True,
        description=_l("For a flat rate, a rate free from a subtotal, and a pickup."),
        validators=[Optional()],
    )
    free_from = PriceField(_l("Free from a subtotal of"), validators=[Optional()])
    weight_bands = TextAreaField(
        _l("Weight bands"),
        description=_l(
            "One band per line: up to how many grams, then the price, such as “1000: 4.95”. "
            "A cart heavier than the last band cannot use this method."
        ),
        validators=[Length(max=2000)],
        render_kw={"rows": 4},
    )
    is_active = BooleanField(_l("Offered at checkout"), default=True)
