"""Times as a person reads them: in the article's own time zone, not the warehouse's UTC.

The warehouse stores instants (TIMESTAMPTZ), which DuckDB hands back in UTC, so a page
published at 07:30 in Beijing would read as the previous day. Display converts to the zone
the sources default to (Source.timezone, Asia/Shanghai): the page's own offset is not
stored, so a page that gave another zone is shown in Beijing time with its +08:00 offset
spelled out, which still names the same instant.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

DISPLAY_TZ = ZoneInfo("Asia/Shanghai")  # as Source.timezone's default: 2020-02-27 21:37 +08:00


def to_local(value: datetime, zone: ZoneInfo = DISPLAY_TZ) -> datetime:
    """An aware datetime in `zone`; a naive one is taken to be in `zone` already."""
    return value.astimezone(zone) if value.tzinfo else value.replace(tzinfo=zone)


def local_iso(value: datetime | date | None, zone: ZoneInfo = DISPLAY_TZ) -> str | None:
    """ISO text of a date or time in `zone`: 2020-02-27T21:37:00+08:00; a date stays a date."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return to_local(value, zone).isoformat()
    return value.isoformat()


def local_text(value: datetime | None, zone: ZoneInfo = DISPLAY_TZ) -> str:
    """A short reading form: 2020-02-27 21:37 +08:00, or 'date unknown'."""
    if value is None:
        return "date unknown"
    local = to_local(value, zone)
    offset = local.strftime("%z")
    return local.strftime("%Y-%m-%d %H:%M ") + f"{offset[:3]}:{offset[3:]}"


def parse_input_time(text: str | None) -> datetime | None:
    """A date or time a user typed (--since, a flow's `since`): ISO, and without a zone a
    time in Beijing (Asia/Shanghai), the zone the sources write in. None for none."""
    if not text:
        return None
    when = datetime.fromisoformat(text.strip())
    return when if when.tzinfo else when.replace(tzinfo=DISPLAY_TZ)
