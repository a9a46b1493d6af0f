"""The storefront's own form: "email me when it is back" on a sold-out variant."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField
from wtforms.validators import DataRequired

from jomso.accounts.forms import EmailAddress


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RestockForm(FlaskForm):
    variant = HiddenField()
    # "restock-email": the product page holds the cart's and the header's forms too.
    email = EmailField(
        _l("Your email address"),
        id="restock-email",
        filters=[_strip],
        validators=[DataRequired(_l("Enter your email address.")), EmailAddress()],
        render_kw={"autocomplete": "email", "maxlength": 254},
    )
