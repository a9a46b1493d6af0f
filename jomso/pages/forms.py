"""The owner's form for a new version of a content page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from jomso.pages.services import BODY_MAX


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class PageForm(FlaskForm):
    body = TextAreaField(
        _l("Page text (Markdown)"),
        validators=[DataRequired(_l("The page cannot be empty.")), Length(max=BODY_MAX)],
        render_kw={"rows": 24, "spellcheck": "true"},
    )
    summary = StringField(
        _l("What changed"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Say in a sentence what changed: it is shown in the history.")),
            Length(max=500),
        ],
    )
    # The version this edit started from: publishing after someone else published is stopped.
    base_version = HiddenField()
