"""Staff order forms: search, ship, and the cancel and refund confirmation pages. Other
action buttons use ``EmptyForm``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

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


class CancelForm(FlaskForm):
    """The cancel confirmation page's form (``staff/orders/cancel.html``). ``shown_status`` is
    the status the page showed: a post without it did not come from that page and cancels
    nothing; one whose order has changed since is shown the page again."""

    reason = StringField(
        _l("Reason (optional)"),
        filters=[_strip],
        validators=[Optional(), Length(max=500)],
        description=_l("Kept on the order's timeline for the staff. No card or personal details."),
    )
    shown_status = HiddenField()


class RefundForm(FlaskForm):
    """The refund page's form (``staff/orders/refund.html``); ``refund_form(order)`` adds one
    "back in stock" count per order line (``restock_<line id>``)."""

    amount = StringField(
        _l("Amount to refund"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter the amount to refund.")), Length(max=20)],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    reason = TextAreaField(
        _l("Reason"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Say why: the reason is kept on the order's timeline.")),
            Length(max=500),
        ],
        description=_l("Kept on the order's timeline for the staff. No card or personal details."),
        render_kw={"rows": 2},
    )
    # How many refunds the page showed: a refund recorded meanwhile makes the form out of date.
    shown_refunds = HiddenField(
        validators=[
            InputRequired(_l("This form is out of date: open the refund page again.")),
            Regexp(r"^[0-9]{1,4}$"),
        ]
    )

    def shown(self) -> int | None:
        return int(self.shown_refunds.data) if self.shown_refunds.data else None

    def restock_fields(self, order) -> list[tuple[object, object]]:
        """(field, order line) for each "back in stock" count, in the order of the lines."""
        return [
            (self._fields[f"{RESTOCK}{line.id}"], line)
            for line in order.lines
            if f"{RESTOCK}{line.id}" in self._fields
        ]

    def restock_texts(self) -> dict[int, str]:
        """Order line id → the count as typed."""
        return {
            int(name[len(RESTOCK) :]): field.data or ""
            for name, field in self._fields.items()
            if name.startswith(RESTOCK)
        }


RESTOCK = "restock_"


def refund_form(order, **kwargs) -> RefundForm:
    """``order``'s refund form: one "back in stock" count for each line with units that can
    still go back (a WTForms form class made for the order)."""
    fields = {
        f"{RESTOCK}{line.id}": StringField(
            line.name,
            filters=[_strip],
            default="0",
            validators=[Length(max=9)],
            render_kw={"inputmode": "numeric", "autocomplete": "off"},
        )
        for line in order.lines
        if line.restockable > 0
    }
    return type("OrderRefundForm", (RefundForm,), fields)(**kwargs)
