"""The period the sales page shows: a preset (today, the last 7 or 30 days, this month, last
month, this year) or two dates, in the shop's local days. Dates that cannot be read, that run
backwards, lie in the future or span more than ``MAX_DAYS`` are refused with a message saying
so, and the page shows the default period instead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _

from jomso.i18n import format_when
from jomso.sales.forms import PeriodForm
from jomso.shop_time import shop_today

DEFAULT = "30d"
MAX_DAYS = 1100  # three years, for a year against the one before
EARLIEST = date(2000, 1, 1)


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    preset: str  # a key of forms.PRESET_LABELS
    problem: str | None = None  # why the dates asked for are not the ones shown


def preset_range(preset: str, today: date) -> tuple[date, date]:
    if preset == "today":
        return today, today
    if preset == "7d":
        return today - timedelta(days=6), today
    if preset == "month":
        return today.replace(day=1), today
    if preset == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if preset == "year":
        return today.replace(month=1, day=1), today
    return today - timedelta(days=29), today


def chosen_period(form: PeriodForm) -> Period:
    """The period ``form`` (filled from the query string) asks for, or the default one with
    the reason; field errors go on the form, which keeps what was typed."""
    today = shop_today()

    def fallback(problem: str) -> Period:
        return Period(*preset_range(DEFAULT, today), DEFAULT, problem)

    if not form.validate():
        return fallback(_("We could not read that period, so this shows the last 30 days."))
    preset = form.period.data or DEFAULT
    start, end = form.start.data, form.end.data
    if preset != "custom" and start is None and end is None:
        return Period(*preset_range(preset, today), preset)
    # Dates given: the custom period, whatever the preset says.
    end = end or today
    start = start or end - timedelta(days=29)
    form.period.data = "custom"
    if start > end:
        form.end.errors.append(_("The end date is before the start date."))
        return fallback(_("The dates were the wrong way round, so this shows the last 30 days."))
    if end > today:
        form.end.errors.append(
            _("Choose a date up to today, %(today)s.", today=format_when(today, "day"))
        )
        return fallback(_("No sales lie in the future, so this shows the last 30 days."))
    if start < EARLIEST:
        form.start.errors.append(_("Choose a date from the year 2000 on."))
        return fallback(_("That period starts too long ago, so this shows the last 30 days."))
    if (end - start).days >= MAX_DAYS:
        form.start.errors.append(_("Choose at most %(days)d days.", days=MAX_DAYS))
        return fallback(_("That period is too long, so this shows the last 30 days."))
    return Period(start, end, "custom")
