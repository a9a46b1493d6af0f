"""The staff product list's bulk-edit form: which products (the ticked ones, or every one the
list's filters match) and what change. The value is read by the action chosen: a percent, an
amount in the shop's currency, or a number of units."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, format_decimal, parse_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField
from wtforms.validators import Length

from jomso.catalog.admin_forms import MAX_STOCK, parse_price
from jomso.catalog.bulk_editing import MAX_PERCENT, BulkAction, BulkChange
from jomso.i18n import current_locale, format_money

MAX_TICKED = 500  # products ticked on the list at once (a page shows 50)
FILTERS = ("q", "category", "stock", "status")


class BulkEditForm(FlaskForm):
    scope = RadioField(
        _l("Change"),
        default="selected",
        choices=[
            ("selected", _l("the ticked products")),
            ("filtered", _l("all products that match the filters")),
        ],
    )
    action = SelectField(
        _l("Action"),
        choices=[
            ("", _l("Choose an action")),
            (BulkAction.RAISE_PERCENT, _l("Raise prices by percent")),
            (BulkAction.LOWER_PERCENT, _l("Lower prices by percent")),
            (BulkAction.RAISE_AMOUNT, _l("Raise prices by an amount")),
            (BulkAction.LOWER_AMOUNT, _l("Lower prices by an amount")),
            (BulkAction.SET_STOCK, _l("Set the stock of every variant to")),
            (BulkAction.ACTIVATE, _l("Put on sale")),
            (BulkAction.DEACTIVATE, _l("Hide from the shop")),
        ],
    )
    value = StringField(_l("Percent, amount or units"), validators=[Length(max=20)])
    # The list's filters, for "all products that match the filters".
    q = HiddenField()
    category = HiddenField()
    stock = HiddenField()
    status = HiddenField()
    confirm = HiddenField()

    def filters(self) -> dict[str, str]:
        return {name: (self[name].data or "").strip() for name in FILTERS}

    def change(self) -> BulkChange | None:
        """The change asked for, or None with the message beside its field."""
        if not self.action.data:
            self.action.errors = [*self.action.errors, _("Choose an action.")]
            return None
        action = BulkAction(self.action.data)
        text = (self.value.data or "").strip()
        try:
            if action in (BulkAction.RAISE_PERCENT, BulkAction.LOWER_PERCENT):
                return BulkChange(action, percent=_percent(text, action))
            if action in (BulkAction.RAISE_AMOUNT, BulkAction.LOWER_AMOUNT):
                if not text:
                    raise ValueError(_("Enter the amount."))
                return BulkChange(action, cents=parse_price(text))
            if action is BulkAction.SET_STOCK:
                return BulkChange(action, stock=_units(text))
        except ValueError as error:
            self.value.errors = [*self.value.errors, str(error)]
            return None
        return BulkChange(action)


def _percent(text: str, action: BulkAction) -> Decimal:
    if not text:
        raise ValueError(_("Enter the percent."))
    try:
        percent = parse_decimal(text.rstrip("%").strip(), locale=current_locale(), strict=True)
    except (NumberFormatError, InvalidOperation):
        raise ValueError(_("Enter the percent as a number, such as 10.")) from None
    if percent != percent.quantize(Decimal("0.01")):
        raise ValueError(_("Use at most %(num)d decimal places.", num=2))
    if percent <= 0:
        raise ValueError(_("Enter a percent above zero."))
    if action is BulkAction.LOWER_PERCENT and percent >= 100:
        raise ValueError(_("Prices can be lowered by less than 100 percent."))
    if percent > MAX_PERCENT:
        raise ValueError(_("That is too much. Please check the percent."))
    return percent


def _units(text: str) -> int:
    if not text.isdigit():
        raise ValueError(_("Enter a whole number, 0 or more."))
    units = int(text)
    if units >= MAX_STOCK:
        raise ValueError(_("That stock is too high. Please check it."))
    return units


def describe_change(change: BulkChange) -> str:
    """The change in words, for the confirmation page and the message after it."""
    percent = format_decimal(change.percent, locale=current_locale())
    texts = {
        BulkAction.RAISE_PERCENT: lambda: _("prices raised by %(percent)s %%", percent=percent),
        BulkAction.LOWER_PERCENT: lambda: _("prices lowered by %(percent)s %%", percent=percent),
        BulkAction.RAISE_AMOUNT: lambda: _(
            "prices raised by %(amount)s", amount=format_money(change.cents)
        ),
        BulkAction.LOWER_AMOUNT: lambda: _(
            "prices lowered by %(amount)s", amount=format_money(change.cents)
        ),
        BulkAction.SET_STOCK: lambda: ngettext(
            "stock of every variant set to %(num)d unit",
            "stock of every variant set to %(num)d units",
            change.stock,
        ),
        BulkAction.ACTIVATE: lambda: _("put on sale"),
        BulkAction.DEACTIVATE: lambda: _("hidden from the shop"),
    }
    return texts[change.action]()
