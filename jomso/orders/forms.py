"""Staff order forms: search, ship, refund. Action buttons use ``EmptyForm``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from jomso.orders.status import STATUS_LABELS

TO_DO = "todo"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _status_choices():
    return [
        (TO_DO, _l("To do (paid, being prepared, payment unknown)")),
        ("", _l("All orders")),
        *[(status.value, label) for status, label in STATUS_LABELS.items()],
    ]


class OrderSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter form

    q = StringField(
        _l("Order number or name"), filters=[_strip], validators=[Optional(), Length(max=254)]
    )
    status = SelectField(_l("Status"), choices=_status_choices, default=TO_DO)


class ShipForm(FlaskForm):
    carrier = StringField(
        _l("Carrier"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter the carrier, e.g. UPS.")), Length(max=80)],
    )
    tracking_number = StringField(
        _l("Tracking number"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter the tracking number.")),
            Length(max=80),
            Regexp(r"^[A-Za-z0-9 ._/-]+$", message=_l("Use letters, digits, spaces and dashes.")),
        ],
    )


class RefundForm(FlaskForm):
    amount = StringField(
        _l("Amount to refund"),
        filters=[_strip],
        validators=[Optional(), Length(max=20)],
        render_kw={"inputmode": "decimal", "placeholder": "12.50"},
    )
    # How many refunds the page showed: a refund recorded meanwhile makes the form out of date.
    shown_refunds = HiddenField(validators=[Optional(), Regexp(r"^[0-9]{1,4}$")])

    def shown(self) -> int | None:
        return int(self.shown_refunds.data) if self.shown_refunds.data else None
