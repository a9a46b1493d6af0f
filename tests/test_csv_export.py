"""The one CSV writer of the staff downloads: UTF-8 with BOM, formula-like text neutralised,
numbers kept as numbers, and streamed: rows are read only as the file is sent."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from jomso.csv_export import csv_response, safe_cell


def test_text_that_a_spreadsheet_would_run_is_quoted():
    for formula in ("=1+2", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert safe_cell(formula) == "'" + formula
    assert safe_cell("Gus Guest") == "Gus Guest"
    assert safe_cell("a=b") == "a=b"  # only the start matters
    assert safe_cell(None) == ""
    assert safe_cell(-1250) == -1250 and safe_cell(Decimal("-12.50")) == Decimal("-12.50")


def test_a_download_is_utf8_with_bom_and_streamed(app):
    read = []

    def rows():
        for index in range(1000):
            read.append(index)
            yield [index, f"Zoë {index}", "=cmd|' /C calc'!A0", Decimal("-1.50")]

    with app.test_request_context():
        response = csv_response("orders 2026/12.csv", ["n", "name", "note", "amount"], rows())
    assert response.is_streamed and read == []  # nothing read before the file is sent
    assert response.headers["Content-Disposition"] == 'attachment; filename="orders-2026-12.csv"'
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    chunks = list(response.response)
    assert len(chunks) > 2  # sent a batch at a time
    body = b"".join(chunks)
    assert body.startswith(b"\xef\xbb\xbfn,name,note,amount\r\n")
    parsed = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert parsed[1] == ["0", "Zoë 0", "'=cmd|' /C calc'!A0", "-1.50"]
    assert len(parsed) == 1001


def test_days_times_and_lazy_titles_are_plain_text():
    from datetime import date, datetime

    from flask_babel import lazy_gettext

    from jomso.csv_export import csv_lines

    text = "".join(
        csv_lines(
            [lazy_gettext("Day"), "When"],
            [(date(2026, 3, 1), datetime(2026, 3, 1, 15, 4, 5)), (None, True)],
        )
    )
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows == [["Day", "When"], ["2026-03-01", "2026-03-01T15:04:05"], ["", "yes"]]
