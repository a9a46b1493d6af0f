"""The shared CSV writer: what a spreadsheet opens, and that it streams."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from jomso.csv_export import BATCH, csv_chunks, csv_response


def _parse(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_formulas_are_escaped_and_numbers_kept():
    text = "".join(
        csv_chunks(
            ["name", "amount", "day"],
            [
                ("=HYPERLINK(1)", Decimal("-5.00"), date(2026, 3, 1)),
                ("+1 555", -3, None),
                ("-minus", 0, None),
                ("@sum", 1, None),
                ("\tTab", 2, None),
                ("Zoë's café", 3, None),
            ],
        )
    )
    rows = _parse(text)
    assert rows[0] == ["name", "amount", "day"]
    assert rows[1] == ["'=HYPERLINK(1)", "-5.00", "2026-03-01"]
    assert [r[0] for r in rows[2:]] == ["'+1 555", "'-minus", "'@sum", "'\tTab", "Zoë's café"]
    assert rows[2][1] == "-3"  # a number is never quoted


def test_rows_are_written_as_they_come():
    consumed = []

    def rows():
        for i in range(BATCH * 2 + 5):
            consumed.append(i)
            yield (f"row {i}", i)

    chunks = csv_chunks(["name", "n"], rows())
    first = next(chunks)
    assert len(consumed) == BATCH  # the first batch is out before the rest is read
    rest = "".join(chunks)
    assert len(_parse(first + rest)) == 1 + BATCH * 2 + 5


def test_response_is_a_streamed_attachment(app):
    with app.test_request_context():
        response = csv_response("figures.csv", ["a"], [("x",)])
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="figures.csv"'
