"""The sales page (/staff/sales) and its CSV downloads: figures only, for the roles that see
traffic and sales figures (``VIEW_ANALYTICS``)."""

from __future__ import annotations

from babel.numbers import format_compact_currency
from flask import abort, current_app, render_template, request
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _

from jomso.accounts.validation import country_name
from jomso.analytics.charts import bar_chart
from jomso.csv_export import csv_response
from jomso.i18n import cents_to_decimal, current_locale, format_money, format_when
from jomso.permissions import Permission, permission_required
from jomso.sales import bp
from jomso.sales.forms import PRESET_LABELS, PeriodForm
from jomso.sales.periods import Period, chosen_period
from jomso.sales.report import DAY, MONTH, WEEK, SalesReport, sales_report

# The date style under a chart's bars (jomso.i18n.DATE_STYLES), per grouping.
CHART_DATE_STYLES = {DAY: "axis", WEEK: "axis", MONTH: "month"}


def _period_and_report() -> tuple[PeriodForm, Period, SalesReport]:
    form = PeriodForm(request.args)
    period = chosen_period(form)
    grouping = form.by.data if form.by.data in (DAY, WEEK, MONTH) else None
    return form, period, sales_report(period.start, period.end, grouping)


def _compact_money(cents: int) -> str:
    config = current_app.config
    amount = cents_to_decimal(cents)
    return format_compact_currency(amount, config["CURRENCY"], locale=current_locale())


def _count_orders(n: int) -> str:
    return ngettext("%(count)s order", "%(count)s orders", n, count=format_decimal(n))


def _bar_title(report: SalesReport):
    by_start = {bucket.start: bucket for bucket in report.buckets}

    def title(bar) -> str:
        bucket = by_start[bar.day]
        if bucket.start == bucket.end:
            return format_when(bucket.start, "day")
        return _(
            "%(start)s to %(end)s",
            start=format_when(bucket.start, "day"),
            end=format_when(bucket.end, "day"),
        )

    return title


@bp.get("")
@permission_required(Permission.VIEW_ANALYTICS)
def sales_page():
    """Revenue, orders, units, best sellers, categories, countries and conversion for a
    period (``?period=today|7d|30d|month|last_month|year``, or ``start`` and ``end``)."""
    form, period, report = _period_and_report()
    return render_template(
        "staff/sales/page.html",
        form=form,
        period=period,
        report=report,
        presets=PRESET_LABELS,
        sales_chart=bar_chart([(b.start, b.totals.gross_cents) for b in report.buckets]),
        orders_chart=bar_chart([(b.start, b.totals.orders) for b in report.buckets]),
        chart_date_style=CHART_DATE_STYLES[report.grouping],
        bar_title=_bar_title(report),
        compact_money=_compact_money,
        money=format_money,
        count_orders=_count_orders,
        number=format_decimal,
        tables=CSV_TABLES,
        country_name=country_name,
    )


def _money(cents: int):
    return cents_to_decimal(cents)


def _summary_rows(report: SalesReport):
    t = report.totals
    rows = [
        (_("gross sales"), _money(t.gross_cents)),
        (_("of which shipping"), _money(t.shipping_cents)),
        (_("refunds"), _money(t.refunded_cents)),
        (_("net sales"), _money(t.net_cents)),
        (_("orders"), t.orders),
        (_("units"), t.units),
        (_("average order value"), _money(t.average_order_cents or 0)),
    ]
    if report.discounts_tracked:
        rows.insert(1, (_("discounts"), _money(t.discount_cents)))
    rows += [
        (_("visits with analytics consent"), t.visits),
        (_("of which reached the checkout"), t.checkout_visits),
        (_("of which opened an order"), t.order_visits),
    ]
    return rows


def _money_header(name: str) -> str:
    return f"{name} ({current_app.config['CURRENCY']})"


CSV_TABLES = {
    "summary": (
        lambda: [_("figure"), _("value")],
        _summary_rows,
    ),
    "series": (
        lambda: [
            _("from"),
            _("to"),
            _("orders"),
            _("units"),
            _money_header(_("gross sales")),
            _money_header(_("refunds")),
            _money_header(_("net sales")),
        ],
        lambda r: [
            (
                b.start,
                b.end,
                b.totals.orders,
                b.totals.units,
                _money(b.totals.gross_cents),
                _money(b.totals.refunded_cents),
                _money(b.totals.net_cents),
            )
            for b in r.buckets
        ],
    ),
    "products": (
        lambda: [_("product"), _("units"), _money_header(_("revenue"))],
        lambda r: [(p.name, p.units, _money(p.revenue_cents)) for p in r.products],
    ),
    "categories": (
        lambda: [_("category"), _("units"), _money_header(_("revenue"))],
        lambda r: [
            (c.name or _("No category"), c.units, _money(c.revenue_cents)) for c in r.categories
        ],
    ),
    "countries": (
        lambda: [_("country code"), _("country"), _("orders"), _money_header(_("gross sales"))],
        lambda r: [
            (c.code, country_name(c.code), c.orders, _money(c.gross_cents)) for c in r.countries
        ],
    ),
}


@bp.get("/export.csv")
@permission_required(Permission.VIEW_ANALYTICS)
def sales_csv():
    """One table of the sales page as CSV (``table=summary|series|products|categories|
    countries``), for the same period; money in the shop's currency with a decimal point."""
    table = request.args.get("table", "summary")
    if table not in CSV_TABLES:
        abort(404)
    _form, period, report = _period_and_report()
    header, rows = CSV_TABLES[table]
    return csv_response(
        f"sales-{table}-{period.start.isoformat()}-{period.end.isoformat()}.csv",
        header(),
        rows(report),
    )
