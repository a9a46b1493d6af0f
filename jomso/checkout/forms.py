"""The checkout form: contact, billing and shipping addresses, and the payment nonce.

Prices, quantities and totals are never read from the form: the server takes them from the
database. The form carries only what the customer typed, the one-time nonce (never kept),
Braintree's device data (passed on, never kept), the checkout's one-time key and a digest of
the summary the page showed.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, Form, FormField, HiddenField, StringField, TelField
from wtforms.validators import DataRequired, Length, ValidationError

from jomso.accounts import validation
from jomso.accounts.forms import AddressFields, EmailAddress, PhoneNumber
from jomso.orders.placing import CheckoutDetails


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CheckoutAddressForm(AddressFields, Form):
    """A postal address with the recipient's name (no CSRF token: part of the checkout)."""

    name = StringField(
        _l("Full name"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter the name for this address.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_countries()

    def data_dict(self) -> dict[str, str]:
        return {**self.address_data(), "name": self.name.data or ""}


def _autocomplete(section: str):
    """Tell the browser which address a field belongs to, so autofill keeps them apart."""

    def apply(form: CheckoutAddressForm) -> None:
        for field in form:
            token = (field.render_kw or {}).get("autocomplete")
            if token:
                field.render_kw = {**field.render_kw, "autocomplete": f"{section} {token}"}

    return apply


class CheckoutForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter your email address.")), EmailAddress()],
        render_kw={"autocomplete": "email"},
    )
    phone = TelField(
        _l("Phone number"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter a phone number for the delivery.")),
            Length(max=40),
            PhoneNumber(),
        ],
        render_kw={"autocomplete": "tel"},
    )
    billing = FormField(CheckoutAddressForm)
    shipping_same = BooleanField(_l("Ship to my billing address"), default=True)
    shipping = FormField(CheckoutAddressForm)
    payment_method_nonce = HiddenField(validators=[Length(max=4096)])
    device_data = HiddenField(validators=[Length(max=8192)])
    checkout_token = HiddenField(validators=[Length(max=100)])
    summary_hash = HiddenField(validators=[Length(max=100)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _autocomplete("billing")(self.billing.form)
        _autocomplete("shipping")(self.shipping.form)

    def phone_region(self) -> str | None:
        return self.billing.form.country.data

    def validate_payment_method_nonce(self, field):
        if not field.data:
            raise ValidationError(_l("Choose how to pay."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.shipping_same.data:
            # The shipping fields are ignored: their errors do not count.
            for field in self.shipping.form:
                field.errors = []
            valid = not any(f.errors for name, f in self._fields.items() if name != "shipping")
        return valid

    def details(self) -> CheckoutDetails:
        """What was typed, validated and normalised (email lower-cased, phone in E.164)."""
        billing = self.billing.form.data_dict()
        shipping = billing if self.shipping_same.data else self.shipping.form.data_dict()
        return CheckoutDetails(
            email=self.email.normalized,
            phone=self.phone.e164,
            billing=billing,
            shipping=dict(shipping),
        )

    def prefill(self, user) -> None:
        """Fill the form from the account: email, first phone, default addresses."""
        self.email.data = user.email
        if user.phones:
            self.phone.data = validation.format_phone(user.phones[0].number)
        billing = user.default_billing_address
        shipping = user.default_shipping_address
        if billing is not None:
            _fill(self.billing.form, billing)
        elif user.name:
            self.billing.form.name.data = user.name
        if shipping is not None and billing is not None and shipping.id != billing.id:
            _fill(self.shipping.form, shipping)
            self.shipping_same.data = False


def _fill(form: CheckoutAddressForm, address) -> None:
    for part in ("name", "line1", "line2", "city", "region", "postal_code", "country"):
        getattr(form, part).data = getattr(address, part)
