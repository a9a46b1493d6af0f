"""The owner's form for the seller's details."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from jomso.accounts.forms import AddressFields
from jomso.invoices.seller import MAX_FOOTER, TaxIdProblem, normalize_tax_id


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SellerForm(AddressFields, FlaskForm):
    """The legal name, the postal address in its country's layout (``AddressFields``), the tax
    id (checked loosely for the country chosen, kept compact) and the invoices' footer."""

    legal_name = StringField(
        _l("Legal name"),
        filters=[_strip],
        description=_l("The name the shop trades under, as registered: “Jomso Ceramics Ltd”."),
        validators=[DataRequired(_l("Enter the shop's legal name.")), Length(max=200)],
        render_kw={"autocomplete": "organization"},
    )
    tax_id = StringField(
        _l("Tax id (optional)"),
        filters=[_strip],
        description=_l(
            "Your VAT number in the EU, with its country code (DE123456789), or your tax id "
            "elsewhere. Invoices show it in capitals, without spaces, dots or hyphens."
        ),
        validators=[Length(max=40)],
    )
    invoice_footer = TextAreaField(
        _l("Invoice footer (optional)"),
        filters=[_strip],
        description=_l(
            "Printed at the foot of every invoice: bank details, registration number, a thank you."
        ),
        validators=[Length(max=MAX_FOOTER)],
        render_kw={"rows": 4},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_countries()

    def validate_tax_id(self, field):
        try:
            field.data = normalize_tax_id(field.data or "", self.country.data or "")
        except TaxIdProblem as problem:
            raise ValidationError(str(problem)) from problem
