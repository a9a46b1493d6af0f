"""Account forms. Each keeps what was typed (passwords excepted) and puts its message beside the
field; the rules themselves live in ``validation.py``."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    FieldList,
    PasswordField,
    SelectField,
    StringField,
    TelField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError

from jomso import addresses
from jomso.accounts import validation
from jomso.form_widgets import KeptOptionsSelect

ADDRESS_PARTS = addresses.FIELDS  # line1, line2, city, region, postal_code


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for POST buttons (logout, remove, ...)."""


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter your email address.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=1024)]
    )
    remember = BooleanField(_l("Keep me signed in on this device"))


class EmailAddress:
    """Checks the syntax and leaves the stored form of the address in ``field.normalized``."""

    def __call__(self, form, field):
        try:
            field.normalized = validation.parse_email(field.data or "")
        except validation.Invalid as error:
            raise ValidationError(str(error)) from error


def _password_fields(label):
    password = PasswordField(
        label,
        validators=[InputRequired(_l("Choose a password."))],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[EqualTo("password", _l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class NewPasswordMixin:
    """``password`` + ``password_confirm``; the form says whose name and email to refuse."""

    password, password_confirm = _password_fields(_l("Password"))

    def personal_data(self) -> tuple[str, str]:
        return "", ""

    def validate_password(self, field):
        email, name = self.personal_data()
        try:
            validation.check_password(field.data or "", email=email, name=name)
        except validation.Invalid as error:
            raise ValidationError(str(error)) from error


# A submit button of the address forms: "show the fields for the chosen country". The view
# shows the form again, laid out for that country, without checking or saving anything.
UPDATE_ADDRESS_BUTTON = "update_address"


def asked_for_address_layout() -> bool:
    """Whether this POST is the address form's "update" button, not a submission."""
    return request.method == "POST" and UPDATE_ADDRESS_BUTTON in request.form


@dataclass
class AddressFieldsLayout:
    """The address inputs of a form in its country's order: ``rows`` of fields (several on
    one row where the country writes them on one line) and the ``unused`` ones, rendered
    hidden so that switching countries in the page loses nothing."""

    rows: list[list[Field]]
    unused: list[Field]
    postal_example: str


class AddressFields:
    """Postal address fields, shared by the address book and the checkout.
    Their order, names and rules follow the chosen country (``jomso.addresses``)."""

    line1 = StringField(
        _l("Address line 1"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter the street and number.")), Length(max=200)],
        render_kw={"autocomplete": "address-line1"},
    )
    line2 = StringField(
        _l("Address line 2 (optional)"),
        filters=[_strip],
        validators=[Length(max=200)],
        render_kw={"autocomplete": "address-line2"},
    )
    # Whether the city, region and postal code are required depends on the country.
    city = StringField(
        _l("City"),
        filters=[_strip],
        validators=[Length(max=100)],
        render_kw={"autocomplete": "address-level2"},
    )
    region = StringField(
        _l("State, province or region"),
        filters=[_strip],
        validators=[Length(max=100)],
        render_kw={"autocomplete": "address-level1"},
    )
    postal_code = StringField(
        _l("Postal code"),
        filters=[_strip],
        validators=[Length(max=20)],
        render_kw={"autocomplete": "postal-code"},
    )
    country = SelectField(
        _l("Country"),
        validate_choice=True,
        render_kw={"autocomplete": "country"},
        widget=KeptOptionsSelect(),  # ~250 options, the same for everyone in a language
    )

    def _set_countries(self):
        self.country.choices = validation.country_choices()
        if not self.country.data:
            self.country.data = validation.shop_country()

    def address_data(self) -> dict[str, str]:
        return {name: getattr(self, name).data or "" for name in (*ADDRESS_PARTS, "country")}

    def address_layout(self) -> AddressFieldsLayout:
        """The inputs laid out and labelled for the chosen country (for the template)."""
        layout = addresses.address_layout(self.country.data)
        for name, label in addresses.field_labels(layout).items():
            field = getattr(self, name)
            field.label.text = label
            field.flags.required = name in layout.required  # the input's required attribute
        return AddressFieldsLayout(
            rows=[[getattr(self, name) for name in row] for row in layout.rows],
            unused=[getattr(self, n) for n in ADDRESS_PARTS if n not in layout.fields],
            postal_example=layout.postal_examples[0] if layout.postal_examples else "",
        )

    def validate(self, extra_validators=None):
        """The fields' own checks, then the country's rules: required parts, the region
        from the country's list, the postal code's pattern. The values kept are the cleaned
        ones ("oregon" becomes "OR")."""
        valid = super().validate(extra_validators)
        check = addresses.check_address(self.address_data())
        for name in ADDRESS_PARTS:
            field = getattr(self, name)
            if field.errors:
                continue
            if name in check.errors:
                field.errors = [check.errors[name]]
                valid = False
            else:
                field.data = check.cleaned[name]
        return valid


class PhoneFields:
    """Forms with phone inputs say in which country a number without ``+`` is read."""

    def phone_region(self) -> str | None:
        return None


class PhoneNumber:
    """Parses the number (in the form's ``phone_region()``) and leaves its E.164 form in
    ``field.e164``; an empty input gives ``None``. Works inside a ``FieldList`` too, where
    WTForms passes the outer form."""

    def __call__(self, form, field):
        field.e164 = None
        if field.data:
            try:
                field.e164 = validation.normalize_phone(field.data, form.phone_region())
            except validation.Invalid as error:
                raise ValidationError(str(error)) from error


def _phone_input(label, required=None):
    validators = [DataRequired(required)] if required else []
    return TelField(
        label,
        filters=[_strip],
        validators=[*validators, Length(max=40), PhoneNumber()],
        render_kw={"autocomplete": "tel"},
    )


def _numbers(fields) -> list[str]:
    """The distinct numbers of these phone fields, in E.164, in the order typed."""
    return list(dict.fromkeys(n for n in (getattr(f, "e164", None) for f in fields) if n))


class RegisterForm(NewPasswordMixin, FlaskForm):
    """Only what an account needs: name, email and password (and the policy's acceptance).
    Phones and addresses are asked at the checkout or kept in the address book."""

    name = StringField(
        _l("Full name"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        _l("Email"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter your email address.")), EmailAddress()],
        render_kw={"autocomplete": "email"},
    )
    accept_policy = BooleanField(
        _l("I have read and accept the privacy policy"),
        validators=[DataRequired(_l("Please accept the privacy policy to open an account."))],
    )
    newsletter = BooleanField(_l("Email me about new products (you can stop this at any time)"))

    def personal_data(self):
        return self.email.data or "", self.name.data or ""


class ProfileForm(PhoneFields, FlaskForm):
    name = StringField(
        _l("Full name"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    phones = FieldList(_phone_input(_l("Phone number")), min_entries=1, max_entries=8)
    newsletter = BooleanField(_l("Email me about new products"))

    def __init__(self, *args, region: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._region = region

    def phone_region(self):
        return self._region

    def phone_numbers(self) -> list[str]:
        return _numbers(self.phones.entries)


class AddressForm(AddressFields, FlaskForm):
    name = StringField(
        _l("Recipient's name"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter the name of the person at this address.")),
            Length(max=200),
        ],
        render_kw={"autocomplete": "name"},
    )
    default_billing = BooleanField(_l("Use as my billing address"))
    default_shipping = BooleanField(_l("Use as my shipping address"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_countries()


class CurrentPasswordMixin:
    current_password = PasswordField(
        _l("Your current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )


class EmailChangeForm(CurrentPasswordMixin, FlaskForm):
    email = EmailField(
        _l("New email address"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter the new address.")), EmailAddress()],
        render_kw={"autocomplete": "email"},
    )


class PasswordChangeForm(CurrentPasswordMixin, NewPasswordMixin, FlaskForm):
    password, password_confirm = _password_fields(_l("New password"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._user = user

    def personal_data(self):
        return (self._user.email, self._user.name) if self._user else ("", "")


class ResetRequestForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter your email address.")), EmailAddress()],
        render_kw={"autocomplete": "email"},
    )


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    password, password_confirm = _password_fields(_l("New password"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._user = user

    def personal_data(self):
        return (self._user.email, self._user.name) if self._user else ("", "")


class DeleteAccountForm(CurrentPasswordMixin, FlaskForm):
    pass
