"""Time handling: every stored time is timezone-aware; a time written without an offset means
Asia/Shanghai, the company's legal home, as docs/intake.md states."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def parse_time(value: str) -> datetime:
    """Parse an ISO 8601 time; without an offset it is taken as Asia/Shanghai local time.

    Raises ValueError with a message a person can act on.
    """
    text = value.strip()
    if not text:
        raise ValueError("empty time; write it as ISO 8601, e.g. 2026-11-20T09:30:00+08:00")
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"'{value}' is not an ISO 8601 time; write e.g. 2026-11-20T09:30:00+08:00"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=SHANGHAI)
    return parsed


def to_iso(moment: datetime) -> str:
    """Format an aware time as ISO 8601 with its offset, seconds precision."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime; every time in Breach Desk carries an offset")
    return moment.isoformat(timespec="seconds")


def utc_iso(moment: datetime) -> str:
    """:func:`to_iso` of ``moment`` in UTC (``...+00:00``): the form the send ledger stores, so
    that its times order as text the way they order as instants (SQL's min, max and < on ISO
    strings with different offsets do not)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime; every time in Breach Desk carries an offset")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def shanghai_date(moment: datetime) -> date:
    """The calendar date of ``moment`` in Asia/Shanghai."""
    return moment.astimezone(SHANGHAI).date()


def humanize_delta(delta: timedelta) -> str:
    """A short countdown such as '3h 05m' or '-0h 20m' (negative = overdue)."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{sign}{days}d {hours}h"
    return f"{sign}{hours}h {minutes:02d}m"


# A record of something done (a fulfilment, a decision, a remediation step) before this year is a
# typo: personal-data incidents of that age are not what the tool handles.
EARLIEST_RECORD_YEAR = 1990
# A clock skew allowance: a time a few minutes "in the future" is a wrong PC clock, not a typo.
RECORD_FUTURE_SLACK = timedelta(minutes=5)


def record_time_problem(moment: datetime, now: datetime, *, not_before: datetime | None = None,
                        not_before_what: str = "the incident was discovered") -> str | None:
    """Why ``moment`` cannot be when something was done, or None: not in the future (beyond a few
    minutes of clock skew), not before 1990, and not before ``not_before`` (e.g. the discovery)."""
    if moment > now + RECORD_FUTURE_SLACK:
        return f"{to_iso(moment.astimezone(SHANGHAI))} is in the future; give the time it was done"
    if moment.year < EARLIEST_RECORD_YEAR:
        return f"year {moment.year} is before {EARLIEST_RECORD_YEAR}; check the date"
    if not_before is not None and moment < not_before:
        return (f"{to_iso(moment.astimezone(SHANGHAI))} is before {not_before_what} "
                f"({to_iso(not_before.astimezone(SHANGHAI))}); give the time it was done")
    return None
