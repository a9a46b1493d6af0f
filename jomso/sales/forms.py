from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional

PRESET_LABELS = {
    "today": _l("Today"),
    "7d": _l("Last 7 days"),
    "30d": _l("Last 30 days"),
    "month": _l("This month"),
    "last_month": _l("Last month"),
    "year": _l("This year"),
    "custom": _l("Dates of your choice"),
}
GROUPING_LABELS = {"": _l("Automatic"), "day": _l("Day"), "week": _l("Week"), "month": _l("Month")}


class PeriodForm(FlaskForm):
    """The period of the sales page: a GET form, so no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    period = SelectField(_l("Period"), choices=list(PRESET_LABELS.items()), default="30d")
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    by = SelectField(_l("Chart per"), choices=list(GROUPING_LABELS.items()), default="")
