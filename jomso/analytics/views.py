"""The staff traffic page and its CSV downloads: aggregates only."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, render_template, request
from flask_babel import gettext as _

from jomso.analytics import bp
from jomso.analytics.charts import bar_chart
from jomso.analytics.forms import RangeForm
from jomso.analytics.reports import traffic_report
from jomso.csv_export import csv_response
from jomso.permissions import Permission, permission_required
from jomso.shop_time import shop_today

DEFAULT_DAYS = 30
MAX_DAYS = 800
PRESETS = (7, 30, 90, 365)


def _date_range(form: RangeForm) -> tuple[date, date, str | None]:
    """The range asked for, or the last 30 days with a message saying why not."""
    today = shop_today()
    default = (today - timedelta(days=DEFAULT_DAYS - 1), today)
    if not form.validate():
        return (*default, _("We could not read those dates, so this shows the last 30 days."))
    start, end = form.start.data, form.end.data
    if start is None and end is None:
        form.start.data, form.end.data = default
        return (*default, None)
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        form.end.errors.append(_("The end date is before the start date."))
        return (*default, _("The dates were the wrong way round, so this shows the last 30 days."))
    if (end - start).days >= MAX_DAYS:
        form.start.errors.append(_("Choose at most %(days)d days.", days=MAX_DAYS))
        return (*default, _("That range is too long, so this shows the last 30 days."))
    form.start.data, form.end.data = start, end
    return start, end, None


@bp.get("")
@permission_required(Permission.VIEW_ANALYTICS)
def dashboard():
    """Page views, visitors, top pages and products, referrers, browsers, consent share."""
    form = RangeForm(request.args)
    start, end, problem = _date_range(form)
    report = traffic_report(start, end)
    today = shop_today()
    presets = [(n, today - timedelta(days=n - 1), today) for n in PRESETS]
    return render_template(
        "analytics/dashboard.html",
        form=form,
        problem=problem,
        report=report,
        views_chart=bar_chart([(d.day, d.views) for d in report.days]),
        visitors_chart=bar_chart([(d.day, d.visitors) for d in report.days]),
        presets=presets,
        tables=CSV_TABLES,
    )


CSV_TABLES = {
    "daily": (
        lambda: [_("date"), _("page views"), _("unique visitors"), _("page views with consent")],
        lambda r: [(d.day.isoformat(), d.views, d.visitors, d.consented_views) for d in r.days],
    ),
    "pages": (lambda: [_("page"), _("page views")], lambda r: r.top_pages),
    "products": (lambda: [_("product"), _("page views")], lambda r: r.top_products),
    "referrers": (lambda: [_("referring site"), _("page views")], lambda r: r.referrers),
    "browsers": (lambda: [_("browser"), _("page views")], lambda r: r.browsers),
    "systems": (lambda: [_("operating system"), _("page views")], lambda r: r.systems),
}


@bp.get("/export.csv")
@permission_required(Permission.VIEW_ANALYTICS)
def export_csv():
    """One table of the traffic page as CSV (``table=daily|pages|products|...``)."""
    table = request.args.get("table", "daily")
    if table not in CSV_TABLES:
        abort(404)
    start, end, _problem = _date_range(RangeForm(request.args))
    header, rows = CSV_TABLES[table]
    return csv_response(
        f"traffic-{table}-{start.isoformat()}-{end.isoformat()}.csv",
        header(),
        rows(traffic_report(start, end)),
    )


@bp.context_processor
def _formatting():
    from flask_babel import format_decimal, format_percent

    return {"number": format_decimal, "percent": lambda v: format_percent(v, "#,##0.#%")}
