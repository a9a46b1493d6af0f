"""CSV downloads that open cleanly in a spreadsheet, streamed row by row.

* UTF-8 with a byte order mark, so Excel reads accents and currency signs right;
* a text cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return) gets an apostrophe in front: shown as typed, never run.
  Numbers (``int``, ``Decimal``) are written as they are: a refund of -5 stays a number;
* the rows are written as they come from the iterable, a batch at a time, so a download of
  any size never sits whole in memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal

from flask import Response, stream_with_context

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 200


def spreadsheet_cell(value) -> str | int | Decimal:
    """A value as a safe CSV cell: text that would start a formula is escaped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_chunks(header: Sequence, rows: Iterable[Sequence]) -> Iterator[str]:
    """The CSV text: the byte order mark and the header first, then the rows in batches."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow([spreadsheet_cell(str(title)) for title in header])
    for count, row in enumerate(rows, start=1):
        writer.writerow([spreadsheet_cell(value) for value in row])
        if count % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(filename: str, header: Sequence, rows: Iterable[Sequence]) -> Response:
    """A streamed download of ``rows`` under ``header`` as ``filename``."""
    return Response(
        stream_with_context(csv_chunks(header, rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
