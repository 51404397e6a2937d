"""Cron expressions: validation that names the bad field, due times in a time zone (croniter), and the
expression in words ("every 6 hours") for the UI."""

from __future__ import annotations

import contextlib
import itertools
import os
from datetime import datetime, tzinfo
from typing import Any

from .errors import ValidationError

FIELDS = ("minute", "hour", "day of month", "month", "day of week")
ALIASES = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
           "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}
_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


def normalize(expression: str) -> str:
    """A valid 5-field expression (aliases such as ``@hourly`` expanded); ``ValidationError`` naming the
    field that is wrong otherwise."""
    from croniter import croniter

    if not isinstance(expression, str) or not expression.strip():
        raise ValidationError("schedule must be a cron string such as '0 * * * *' (every hour) or '@daily'")
    text = " ".join(expression.split())
    if text.startswith("@"):
        if text.lower() not in ALIASES:
            raise ValidationError(f"unknown cron alias {text!r}: use one of {', '.join(ALIASES)}")
        return ALIASES[text.lower()]
    fields = text.split(" ")
    if len(fields) != 5:
        raise ValidationError(
            f"cron string {text!r} has {len(fields)} fields; it needs 5: minute hour day-of-month month day-of-week "
            "(e.g. '0 */6 * * *' for every 6 hours)")
    for i, (name, value) in enumerate(zip(FIELDS, fields, strict=True)):
        probe = ["*"] * 5
        probe[i] = value
        if not croniter.is_valid(" ".join(probe)):
            raise ValidationError(f"cron string {text!r}: the {name} field {value!r} is not valid")
    if not croniter.is_valid(text):
        raise ValidationError(f"cron string {text!r} is not valid")
    _check_fires(text)
    return text


def _check_fires(expression: str) -> None:
    """``ValidationError`` for an expression no date matches (e.g. '0 0 31 2 *', February 31st)."""
    from croniter import CroniterBadDateError, croniter

    try:
        croniter(expression, datetime(2000, 1, 1)).get_next(float)  # 2000: a leap year follows, Feb 29 fires
    except CroniterBadDateError:
        raise ValidationError(
            f"cron string {expression!r} never fires: no date has that day of month in that month; "
            "check the day-of-month and month fields") from None


def zone(name: str | None) -> tzinfo:
    """The time zone ``name`` (IANA, e.g. 'Europe/Berlin'); the machine's local zone for None or ''."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not name:
        return _local_zone()
    if not isinstance(name, str):
        raise ValidationError(
            f"timezone must be an IANA name such as 'UTC' or 'Europe/Berlin', not {type(name).__name__} {name!r}")

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"unknown time zone {name!r}: use an IANA name such as 'UTC' or 'Europe/Berlin'") from None


def _local_zone() -> tzinfo:
    """The machine's zone with its daylight-saving rules ($TZ, else /etc/localtime), else today's offset."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        with contextlib.suppress(ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(name)
    with contextlib.suppress(OSError, ValueError), open("/etc/localtime", "rb") as handle:
        return ZoneInfo.from_file(handle, key="localtime")
    return datetime.now().astimezone().tzinfo  # type: ignore[return-value]


def next_time(expression: str, after: float, timezone: str | None = None) -> float:
    """The first due time strictly after ``after`` (epoch seconds)."""
    from croniter import croniter

    start = datetime.fromtimestamp(after, zone(timezone))
    return float(croniter(expression, start).get_next(float))


def shortest_interval(expression: str, timezone: str | None = None, now: float | None = None) -> float:
    """The shortest gap between two firings over the next few (to refuse schedules that fire too often)."""
    import time

    times = [now if now is not None else time.time()]
    for _ in range(6):
        times.append(next_time(expression, times[-1], timezone))
    return min(b - a for a, b in itertools.pairwise(times[1:]))


def describe(expression: str) -> str:
    """The expression in words for the common shapes, else "cron <expression>"."""
    minute, hour, dom, month, dow = expression.split(" ")
    if (dom, month) != ("*", "*"):
        if (minute, hour, dom, month, dow) == ("0", "0", "1", "*", "*"):
            return "every month"
        if (minute, hour, dom, month, dow) == ("0", "0", "1", "1", "*"):
            return "every year"
        return f"cron {expression}"
    if (minute, hour, dow) == ("*", "*", "*"):
        return "every minute"
    if minute.startswith("*/") and (hour, dow) == ("*", "*"):
        return _every(minute[2:], "minute")
    if minute.isdigit() and (hour, dow) == ("*", "*"):
        return "every hour" + (f" at :{int(minute):02d}" if minute != "0" else "")
    if minute.isdigit() and hour.startswith("*/") and dow == "*":
        return _every(hour[2:], "hour") + (f" at :{int(minute):02d}" if minute != "0" else "")
    if minute.isdigit() and hour.isdigit():
        at = f"{int(hour):02d}:{int(minute):02d}"
        if dow == "*":
            return f"every day at {at}"
        if dow.isdigit() and int(dow) <= 7:
            return f"every {_DAYS[int(dow) % 7]} at {at}"
        if dow == "1-5":
            return f"every weekday at {at}"
    return f"cron {expression}"


def _every(count: str, unit: str) -> str:
    return f"every {unit}" if count == "1" else f"every {count} {unit}s"


def to_dict(expression: str, timezone: str | None) -> dict[str, Any]:
    return {"cron": expression, "timezone": timezone or "", "description": describe(expression)}
