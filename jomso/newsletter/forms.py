"""Forms of the new-product emails: the footer's subscribe form and the staff composer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from jomso.accounts.forms import EmailAddress
from jomso.mail import SingleLine


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SubscribeForm(FlaskForm):
    """The footer's form (and the page it falls back to with a message)."""

    email = EmailField(
        _l("Your email address"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter your email address.")), EmailAddress()],
        render_kw={"autocomplete": "email", "maxlength": 254},
    )


class AnnouncementForm(FlaskForm):
    subject = StringField(
        _l("Subject"),
        filters=[_strip],
        validators=[DataRequired(_l("Give the email a subject.")), SingleLine(), Length(max=200)],
        render_kw={"maxlength": 200},
    )
    intro = TextAreaField(
        _l("Introduction"),
        filters=[_strip],
        validators=[Length(max=5000, message=_l("Keep the introduction under 5,000 characters."))],
    )
    products = SelectMultipleField(
        _l("Products to announce"),
        coerce=int,
        validate_choice=False,  # the service accepts only products added since the last one
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )


class RetryInterruptedForm(FlaskForm):
    """Sending interrupted deliveries again: only with the risk of duplicates acknowledged."""

    accept_duplicates = BooleanField(
        _l("I understand that some of these people may get the email twice."),
        validators=[DataRequired(_l("Tick the box to send them again, or cancel them instead."))],
    )
