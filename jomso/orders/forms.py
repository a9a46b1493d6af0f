"""Staff order forms: the list's search and filters, ship (a parcel and its quantities), the
cancel and refund confirmation pages, notes and sending an email again. Action buttons (the
list's bulk actions too) use ``EmptyForm``."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from jomso.orders.order_list import MIN_SEARCH, PAYMENT_STATE_LABELS, SORT_LABELS, Sort
from jomso.orders.status import STATUS_LABELS
from jomso.shipping.rates import method_names

TO_DO = "todo"
# Days before this or after that are typing mistakes (a year 20205), not a range to search.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _status_choices():
    return [
        (TO_DO, _l("To do (paid, being prepared, partially shipped, payment unknown)")),
        ("", _l("All orders")),
        *[(status.value, label) for status, label in STATUS_LABELS.items()],
    ]


def _payment_choices():
    return [("", _l("Any payment")), *PAYMENT_STATE_LABELS.items()]


def _delivery_choices():
    return [("", _l("Any delivery")), *((name, name) for name in method_names())]


def _sort_choices():
    return list(SORT_LABELS.items())


def _sensible_day(_form, field):
    if field.data and not EARLIEST_DAY <= field.data <= LATEST_DAY:
        raise ValidationError(
            _l(
                "Enter a day between %(first)s and %(last)s.",
                first=EARLIEST_DAY.isoformat(),
                last=LATEST_DAY.isoformat(),
            )
        )


class OrderSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter form

    q = StringField(
        _l("Order number, name, email or SKU"),
        filters=[_strip],
        validators=[Optional(), Length(max=254)],
    )
    status = SelectField(_l("Status"), choices=_status_choices, default=TO_DO)
    date_from = DateField(_l("Placed from"), validators=[Optional(), _sensible_day])
    date_to = DateField(_l("Placed until"), validators=[Optional(), _sensible_day])
    payment = SelectField(_l("Payment"), choices=_payment_choices, default="")
    delivery = SelectField(_l("Delivery"), choices=_delivery_choices, default="")
    sort = SelectField(_l("Sort"), choices=_sort_choices, default=Sort.NEWEST)

    def validate_q(self, field):
        if field.data and len(field.data) < MIN_SEARCH:
            raise ValidationError(_l("Type at least two characters."))

    def swap_reversed_dates(self) -> bool:
        """Put a range typed the wrong way round (to before from) right; True if it was."""
        start, end = self.date_from.data, self.date_to.data
        if start and end and end < start and not (self.date_from.errors or self.date_to.errors):
            self.date_from.data, self.date_to.data = end, start
            self.date_from.raw_data, self.date_to.raw_data = [end.isoformat()], [start.isoformat()]
            return True
        return False


class ShipForm(FlaskForm):
    """Carrier and tracking number; ``ship_form(order)`` adds the quantities."""

    carrier = StringField(
        _l("Carrier"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter the carrier, e.g. UPS.")), Length(max=80)],
        render_kw={"list": "carrier-names", "autocomplete": "off"},
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


SHIP = "ship_"


def ship_form(order, **kwargs) -> ShipForm:
    """``order``'s ship form: carrier, tracking number, and one quantity per line with units
    left to ship (``ship_<line id>``). A quantity the post leaves out counts as 0; the page
    fills in everything left (``ship_defaults``)."""
    left = order.units_left()
    fields = {
        f"{SHIP}{line.id}": StringField(
            line.name,
            filters=[_strip],
            default="0",
            validators=[Length(max=9)],
            render_kw={"inputmode": "numeric", "autocomplete": "off", "size": 4},
        )
        for line in order.lines
        if line.id in left
    }
    return type("OrderShipForm", (ShipForm,), fields)(**kwargs)


def ship_defaults(order) -> dict[str, str]:
    """Everything left to ship: the quantities a fresh ship form shows."""
    return {f"{SHIP}{line_id}": str(count) for line_id, count in order.units_left().items()}


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


class NoteForm(FlaskForm):
    body = TextAreaField(
        _l("Internal note"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Write the note first.")),
            Length(max=2000, message=_l("A note holds at most 2,000 characters.")),
        ],
        render_kw={"rows": 3, "maxlength": 2000},
    )


class ResendForm(FlaskForm):
    email = SelectField(
        choices=[("confirmation", ""), ("shipping", "")],
        validators=[DataRequired()],
    )


def ship_texts(form: ShipForm, posted) -> dict[str, str] | None:
    """The quantities as typed: the form's own fields, and any other ``ship_`` name the post
    carries (a line of another order, an out-of-date page), for ``shipping.check_units``.
    None when the post carries no quantity at all (a form from before parcels, a script):
    that ships everything left, as shipping always did."""
    if not any(name.startswith(SHIP) for name in posted):
        return None
    texts = {
        name: field.data or "" for name, field in form._fields.items() if name.startswith(SHIP)
    }
    for name in posted:
        if name.startswith(SHIP) and name not in texts:
            texts[name] = posted.get(name, "")
    return texts
