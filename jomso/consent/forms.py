from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, DataRequired

from jomso.consent.cookies import CHOICES


class ConsentForm(FlaskForm):
    """The banner's and the settings page's form. Its buttons are named ``choice`` and carry
    "accept" or "decline"; ``source`` says which form it was, ``next`` where to go back to."""

    choice = StringField(validators=[DataRequired(), AnyOf(CHOICES)])
    source = HiddenField(validators=[AnyOf(("banner", "settings", "gpc"))], default="banner")
    next = HiddenField()
