"""The shop's days: its time zone (``TIMEZONE``), today there, and the UTC moments and SQL that
turn stored UTC timestamps into the shop's local days.

Every figure per day (traffic, sales) counts local days: an order at 23:30 in Berlin on the 1st
counts on the 1st, although it is the 1st at 22:30 in UTC. Timestamps are stored in UTC (naive
on SQLite, see ``jomso.database``), so a query groups by ``local_day_sql(column, offset)``
inside each of the ``local_segments`` of a range, where one UTC offset holds.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import ColumnElement, func, literal_column

from jomso.extensions import db


def shop_timezone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def shop_now() -> datetime:
    return datetime.now(shop_timezone())


def shop_today() -> date:
    return shop_now().date()


def day_start(day: date, tz: ZoneInfo | None = None) -> datetime:
    """The UTC moment the local ``day`` begins."""
    return datetime.combine(day, time(), tz or shop_timezone()).astimezone(UTC)


def days_bounds(start: date, end: date, tz: ZoneInfo | None = None) -> tuple[datetime, datetime]:
    """The UTC interval [begin, finish) of the local days ``start``..``end`` (inclusive)."""
    tz = tz or shop_timezone()
    return day_start(start, tz), day_start(end + timedelta(days=1), tz)


def local_date(moment: datetime, tz: ZoneInfo | None = None) -> date:
    """The local day of an aware UTC timestamp."""
    return moment.astimezone(tz or shop_timezone()).date()


def _offset_minutes(moment: datetime, tz: ZoneInfo) -> int:
    return int(moment.astimezone(tz).utcoffset().total_seconds() // 60)


def local_segments(start: date, end: date, tz: ZoneInfo) -> list[tuple[datetime, datetime, int]]:
    """UTC intervals covering the local days ``start``..``end`` (inclusive), each with the one
    UTC offset (in minutes) that holds throughout it."""
    begin, finish = days_bounds(start, end, tz)
    segments = []
    seg_start, offset = begin, _offset_minutes(begin, tz)
    day = start
    while day <= end:
        day_end = day_start(day + timedelta(days=1), tz)
        if _offset_minutes(day_end, tz) != offset:
            # The offset changed during this day: find the quarter hour it did.
            moment = day_start(day, tz)
            while _offset_minutes(moment, tz) == offset:
                moment += timedelta(minutes=15)
            segments.append((seg_start, moment, offset))
            seg_start, offset = moment, _offset_minutes(moment, tz)
        day += timedelta(days=1)
    segments.append((seg_start, finish, offset))
    return [s for s in segments if s[0] < s[1]]


def local_day_sql(column, offset_minutes: int) -> ColumnElement:
    """SQL for the local date of a naive-UTC timestamp column, for a fixed UTC offset. Read
    the result with ``as_date``: SQLite answers text, PostgreSQL a date."""
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        return func.date(column, f"{offset_minutes:+d} minutes")
    if dialect == "postgresql":
        return func.date(column + literal_column(f"interval '{int(offset_minutes)} minutes'"))
    return func.date(column)


def as_date(value) -> date:
    """A ``local_day_sql`` result as a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def each_day(start: date, end: date):
    """The days ``start``..``end`` (inclusive)."""
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)
