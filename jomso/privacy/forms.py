"""The privacy request form, and the staff's forms for handling a request."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from jomso.accounts.forms import EmailAddress
from jomso.mail import SingleLine
from jomso.privacy.models import KIND_LABELS, RequestKind
from jomso.privacy.requests import DETAILS_MAX

NOTE_MAX = 5000


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class PrivacyRequestForm(FlaskForm):
    kind = RadioField(
        _l("What would you like us to do?"),
        choices=[(kind.value, label) for kind, label in KIND_LABELS.items()],
        validate_choice=False,  # validate_kind says it in words
    )
    email = EmailField(
        _l("Your email address"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter the email address our records would hold.")),
            EmailAddress(),
            SingleLine(),
        ],
        render_kw={"autocomplete": "email", "maxlength": 254},
    )
    details = TextAreaField(
        _l("Details"),
        filters=[_strip],
        validators=[Length(max=DETAILS_MAX, message=_l("Please keep it to 5,000 characters."))],
        render_kw={"rows": 6},
    )

    def validate_kind(self, field):
        if field.data not in {kind.value for kind in RequestKind}:
            raise ValidationError(_l("Choose what you would like us to do."))

    def validate_details(self, field):
        if self.kind.data == RequestKind.CORRECTION and not field.data:
            raise ValidationError(_l("Say what is wrong and what it should say instead."))


class ExtendForm(FlaskForm):
    reason = TextAreaField(
        _l("Why more time is needed"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Give the reason: the requester is told it.")),
            Length(max=NOTE_MAX),
        ],
        render_kw={"rows": 3},
    )


class CompleteForm(FlaskForm):
    """Closing a request as done; a correction needs the note saying what changed."""

    note = TextAreaField(
        _l("Note to the requester"), filters=[_strip], validators=[Length(max=NOTE_MAX)]
    )

    def __init__(self, *args, kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind

    def validate_note(self, field):
        if self.kind == RequestKind.CORRECTION and not field.data:
            raise ValidationError(_l("Say what was corrected: the requester is told it."))


class RefuseForm(FlaskForm):
    reason = TextAreaField(
        _l("Why the request is refused"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Give the reason: the requester is told it.")),
            Length(max=NOTE_MAX),
        ],
        render_kw={"rows": 3},
    )
