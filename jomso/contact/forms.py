"""The contact form and the staff reply form."""

from __future__ import annotations

from flask_babel import format_number, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from jomso.accounts.forms import EmailAddress, PhoneFields, PhoneNumber
from jomso.contact.models import TOPIC_LABELS, Topic

MESSAGE_MAX = 5000
REPLY_MAX = 10000


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class MaxCharacters:
    """Length check whose message says how long the text is and what the limit is."""

    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, form, field):
        length = len(field.data or "")
        if length > self.limit:
            raise ValidationError(
                ngettext(
                    "This is %(length)s character long; please keep it to %(limit)s.",
                    "This is %(length)s characters long; please keep it to %(limit)s.",
                    length,
                    length=format_number(length),
                    limit=format_number(self.limit),
                )
            )


class ContactForm(PhoneFields, FlaskForm):
    name = StringField(
        _l("Your name"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name", "maxlength": 200},
    )
    email = EmailField(
        _l("Your email address"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter your email address, so that we can answer.")),
            EmailAddress(),
        ],
        render_kw={"autocomplete": "email", "maxlength": 254},
    )
    phone = TelField(
        _l("Phone number (optional)"),
        filters=[_strip],
        validators=[Length(max=40), PhoneNumber()],
        render_kw={"autocomplete": "tel"},
    )
    topic = SelectField(
        _l("What is it about?"),
        choices=[(topic.value, label) for topic, label in TOPIC_LABELS.items()],
        default=Topic.QUESTION.value,
        validate_choice=False,  # validate_topic says it in words
    )
    # A product's slug: chosen from the list in a small shop, or filled in by "Ask about this
    # product" (then shown as text with a hidden input). The view checks it exists.
    product = SelectField(_l("Product (optional)"), validate_choice=False, default="")
    order_number = StringField(
        _l("Order number (optional)"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=40),
            Regexp(
                r"^[A-Za-z0-9 #/-]+$",
                message=_l("Use the order number as it appears in your confirmation email."),
            ),
        ],
    )
    message = TextAreaField(
        _l("Your message"),
        validators=[DataRequired(_l("Write your message.")), MaxCharacters(MESSAGE_MAX)],
        render_kw={"rows": 8},
    )
    newsletter = BooleanField(_l("Tell me about new products"))
    # The honeypot (see spam.py); its label speaks to the people who might meet it.
    website = StringField(
        _l("Leave this field empty"),
        render_kw={"autocomplete": "off", "tabindex": "-1"},
    )
    started = HiddenField()

    def validate_topic(self, field):
        if field.data not in {t.value for t in Topic}:
            raise ValidationError(_l("Choose what your message is about."))


class ReplyForm(FlaskForm):
    body = TextAreaField(
        _l("Your reply"),
        validators=[DataRequired(_l("Write the reply first.")), MaxCharacters(REPLY_MAX)],
        render_kw={"rows": 8},
    )


class EnquirySearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    q = StringField(_l("Search"), filters=[_strip], validators=[Length(max=200)])
