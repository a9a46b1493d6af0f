"""CSV downloads that open cleanly in a spreadsheet: one way to write them for every staff page.

``csv_response(filename, header, rows)`` streams the file: UTF-8 with a byte order mark (so
Excel reads accents and other scripts right), the rows written as the iterable yields them, a
batch at a time, so a download of any size never sits in memory whole. Give it a generator
that reads the database in pages.

Formula injection is neutralised: a text cell starting with ``=``, ``+``, ``-`` or ``@`` (or a
tab or carriage return, which some spreadsheets skip before reading a formula) is prefixed
with a single quote, so a customer who typed ``=HYPERLINK(...)`` as their name cannot make
a staff member's spreadsheet run it. Numbers (``int``, ``Decimal``) are written as they are,
so a negative amount stays a number. Days and times are written in ISO 8601.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Response, stream_with_context

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH_ROWS = 200


def safe_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text: formula-like text quoted, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The file's text in pieces: the BOM and header first, then ``BATCH_ROWS`` rows a piece."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    pending = 0
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        pending += 1
        if pending >= BATCH_ROWS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue()


def _ascii_filename(filename: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-.")
    return cleaned or "export.csv"


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A streamed CSV download named ``filename`` (reduced to safe ASCII)."""
    return Response(
        stream_with_context(piece.encode("utf-8") for piece in csv_lines(header, rows)),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_ascii_filename(filename)}"'},
    )
