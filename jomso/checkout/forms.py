"""The checkout form: contact, billing and shipping addresses, the delivery method, and the
payment nonce.

Prices, quantities and totals are never read from the form: the server takes them from the
database. The form carries only what the customer typed, the one-time nonce (never kept),
Braintree's device data (passed on, never kept), the checkout's one-time key and a digest of
the summary the page showed.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    FormField,
    HiddenField,
    RadioField,
    StringField,
    TelField,
)
from wtforms.validators import DataRequired, Length, ValidationError

from jomso.accounts import validation
from jomso.accounts.forms import AddressFields, EmailAddress, PhoneNumber
from jomso.orders.placing import CheckoutDetails


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _method_id(value) -> int | None:
    """A delivery method's id as sent; anything else (tampered) is no method."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


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


class DeliveryAddressField(FormField):
    """The shipping address, checked only when the parcel goes there: not when it goes to
    the billing address or is collected (its fields are then ignored, errors and all)."""

    def validate(self, form, extra_validators=()) -> bool:
        if form.shipping_same.data or form.collected:
            return True
        return super().validate(form, extra_validators)


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
    shipping = DeliveryAddressField(CheckoutAddressForm)
    # Its choices are the quotes for the address (``checkout.delivery``), set by the view.
    shipping_method = RadioField(_l("Delivery"), coerce=_method_id, validate_choice=False)
    delivery_hash = HiddenField(validators=[Length(max=100)])
    payment_method_nonce = HiddenField(validators=[Length(max=4096)])
    device_data = HiddenField(validators=[Length(max=8192)])
    checkout_token = HiddenField(validators=[Length(max=100)])
    summary_hash = HiddenField(validators=[Length(max=100)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.collected = False  # a local pickup is chosen: no shipping address needed
        _autocomplete("billing")(self.billing.form)
        _autocomplete("shipping")(self.shipping.form)

    def limit_shipping_countries(self, countries: set[str] | None) -> None:
        """Offer only the countries the shop delivers to (None: every country) for the
        delivery address; the billing address may be anywhere."""
        if countries is None:
            return
        country = self.shipping.form.country
        country.choices = [(code, name) for code, name in country.choices if code in countries]
        if country.data not in countries and country.choices:
            country.data = country.choices[0][0]

    def destination(self) -> tuple[str, str]:
        """The country and region the parcel goes to, as typed."""
        address = self.billing.form if self.shipping_same.data else self.shipping.form
        return address.country.data or "", (address.region.data or "").strip().upper()

    def tax_place(self) -> tuple[str, str] | None:
        """The country and region the tax follows: where the parcel goes, or the billing
        address when nothing is delivered (a local pickup). None before a country is known
        (the tax shown is then the estimate for the shop's country), and on a page not yet
        sent whose address has no region: the country list's first choice is not an address
        the customer entered."""
        if self.collected:
            billing = self.billing.form
            place = billing.country.data or "", (billing.region.data or "").strip().upper()
        else:
            place = self.destination()
        if not place[0] or not (place[1] or self.is_submitted()):
            return None
        return place

    def phone_region(self) -> str | None:
        return self.billing.form.country.data

    def validate_payment_method_nonce(self, field):
        if not field.data:
            raise ValidationError(_l("Choose how to pay."))

    def details(self, collected: bool = False) -> CheckoutDetails:
        """What was typed, validated and normalised (email lower-cased, phone in E.164).
        ``collected``: a local pickup, so the shipping address is the billing one."""
        billing = self.billing.form.data_dict()
        same = self.shipping_same.data or collected
        shipping = billing if same else self.shipping.form.data_dict()
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
