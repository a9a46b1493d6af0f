"""One date style per context (jomso/i18n.py, ``DATE_STYLES``): templates name the context,
never a pattern; an order's header and its timeline show the same format; styles follow the
shop's locale and timezone."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from jomso.extensions import db
from jomso.i18n import DATE_STYLES, format_when
from jomso.orders.models import Order, OrderStatusChange
from tests.accounts.helpers import build_app, dispose_app
from tests.orders.helpers import buy, order_number

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
_FILTER = re.compile(r"\|\s*(date|datetime)\b(?:\(([^)]*)\))?")
MOMENT = datetime(2026, 3, 1, 15, 4, 5, tzinfo=UTC)
# CLDR puts a narrow no-break space before AM and PM.


def test_templates_name_a_style_never_a_pattern():
    from jomso.sales.views import CHART_DATE_STYLES

    # The chart macro's dates take the style its caller names (``date_style``, "axis" by
    # default); the sales page names it per grouping.
    used = {"axis", *CHART_DATE_STYLES.values()}
    assert used <= set(DATE_STYLES)
    for path in TEMPLATES.rglob("*.*"):
        for kind, argument in _FILTER.findall(path.read_text(encoding="utf-8")):
            if argument == "date_style" and path.name == "_chart.html":
                continue
            style = (
                argument.strip().strip("\"'") if argument else ("day", "moment")[kind == "datetime"]
            )
            assert style in DATE_STYLES, f"{path.relative_to(TEMPLATES)}: |{kind}({argument})"
            used.add(style)
    assert used == set(DATE_STYLES)  # and every style is in use


def test_an_unknown_style_is_refused(app):
    with app.test_request_context():
        with pytest.raises(ValueError, match="unknown date style"):
            format_when(MOMENT, "short")
        with pytest.raises(ValueError):
            app.jinja_env.from_string('{{ when|date("MMM d") }}').render(when=MOMENT)


@pytest.mark.parametrize(
    ("locale", "timezone", "expected"),
    [
        ("en_US", "UTC", {"day": "Mar 1, 2026", "document": "March 1, 2026",
                          "moment": "Mar 1, 2026, 3:04\u202fPM", "compact": "3/1/26, 3:04\u202fPM",
                          "axis": "Mar 1"}),
        ("en_US", "America/New_York", {"moment": "Mar 1, 2026, 10:04\u202fAM"}),
        ("de_DE", "Europe/Berlin", {"day": "01.03.2026", "document": "1. März 2026",
                                    "moment": "01.03.2026, 16:04", "axis": "1. März"}),
    ],
)  # fmt: skip
def test_styles_follow_the_locale_and_timezone(tmp_path, monkeypatch, locale, timezone, expected):
    app = build_app(tmp_path, monkeypatch, LOCALE=locale, TIMEZONE=timezone)
    try:
        with app.test_request_context():
            assert {style: format_when(MOMENT, style) for style in expected} == expected
            # A naive datetime from the database is UTC.
            assert format_when(MOMENT.replace(tzinfo=None), "moment") == expected.get(
                "moment", format_when(MOMENT, "moment")
            )
    finally:
        dispose_app(app)


def test_an_orders_header_and_timeline_show_the_same_format(app, client):
    response, _ = buy(app, client)
    number = order_number(response)
    with app.app_context():
        order_id = db.session.scalar(db.select(Order.id).where(Order.number == number))
        db.session.execute(update(Order).where(Order.id == order_id).values(created_at=MOMENT))
        db.session.execute(
            update(OrderStatusChange)
            .where(OrderStatusChange.order_id == order_id)
            .values(created_at=MOMENT)
        )
        db.session.commit()
    page = client.get(f"/orders/{number}").text
    assert "Placed on Mar 1, 2026, 3:04\u202fPM" in page
    whens = re.findall(r'class="timeline-when[^"]*">([^<]*)<', page)
    assert whens and set(whens) == {"Mar 1, 2026, 3:04\u202fPM"}
