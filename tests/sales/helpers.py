"""Helpers for the sales tests: read the figures of the sales page and its CSV as a person
(or a spreadsheet) would."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tests.staff.helpers import staff_client


def figures(html: str) -> dict[str, str]:
    """The summary cards of the sales page: figure name -> the value shown."""
    return dict(
        re.findall(
            r'data-figure="(\w+)">\s*<p class="stat-label">[^<]*</p>\s*'
            r'<p class="stat-value">([^<]*)</p>',
            html,
        )
    )


def section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</section>", start)]


def table_rows(html: str) -> list[list[str]]:
    """The body rows of the first table in ``html``, each cell's text."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))


def local(tz: str, year, month, day, hour=12, minute=0) -> datetime:
    """A moment given in the shop's local time, as the aware UTC datetime stored."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def figures_client(app, role: str = "analyst"):
    return staff_client(app, role)
