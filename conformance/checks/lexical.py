"""The lexical grammars the snapshot representation relies on, written out exactly.

* ``xs:dateTime`` (XML Schema 1.0 part 2, 3.2.7): ``-?YYYY-MM-DDThh:mm:ss(.s+)?(Z|(+|-)hh:mm)?``
  with a year of at least four digits (no leading zero beyond four, never 0000), real
  month and day ranges (29 February only in leap years), hours 00-23 or ``24:00:00``
  (fractions of it all zero), minutes and seconds 00-59, offsets up to ±14:00.
* ``xs:boolean``: ``true``, ``false``, ``1``, ``0``.
* A GUID: 8-4-4-4-12 hexadecimal digits, either case, no braces.

Both XML Schema types collapse whitespace first; only XML's own whitespace (space, tab,
CR, LF) counts, never a no-break space. The patterns use ``[0-9]``, not ``\\d`` (which
matches other scripts' digits), and ``fullmatch``, not ``$`` (which allows a newline).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

__all__ = [
    "collapse_whitespace",
    "has_offset",
    "is_guid",
    "is_xs_boolean",
    "is_xs_datetime",
    "parse_xs_boolean",
    "parse_xs_datetime",
]

_XML_WHITESPACE = re.compile(r"[ \t\r\n]+")

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

_DATETIME = re.compile(
    r"(?P<sign>-)?(?P<year>[0-9]{4,})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"T(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]+))?"
    r"(?P<zone>Z|(?P<zone_sign>[+-])(?P<zone_hour>[0-9]{2}):(?P<zone_minute>[0-9]{2}))?"
)

_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def collapse_whitespace(text: str) -> str:
    """XML Schema's ``whiteSpace="collapse"``: trim, and squeeze inner runs to one space."""
    return _XML_WHITESPACE.sub(" ", text).strip(" ")


def is_guid(text: str) -> bool:
    """Whether ``text`` is exactly a GUID (8-4-4-4-12 hex digits, either case)."""
    return _GUID.fullmatch(text) is not None


def is_xs_boolean(text: str) -> bool:
    """Whether ``text`` is a lexically valid ``xs:boolean``."""
    return collapse_whitespace(text) in _BOOLEANS


def parse_xs_boolean(text: str) -> bool:
    """The value of an ``xs:boolean``; :class:`ValueError` when ``text`` is not one."""
    try:
        return _BOOLEANS[collapse_whitespace(text)]
    except KeyError:
        raise ValueError(f"{text!r} is not an xs:boolean (true, false, 1 or 0)") from None


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if _is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _match(text: str) -> re.Match[str] | None:
    """The grammar's match for a valid ``xs:dateTime``, None for anything else."""
    found = _DATETIME.fullmatch(collapse_whitespace(text))
    if found is None:
        return None
    year_digits = found["year"]
    year = int(year_digits)
    if year == 0 or (len(year_digits) > 4 and year_digits[0] == "0"):
        return None
    # XML Schema 1.0 has no year 0: -0001 is 1 BCE, a leap year, like astronomical year 0.
    astronomical_year = -year + 1 if found["sign"] else year
    month, day = int(found["month"]), int(found["day"])
    if not 1 <= month <= 12 or not 1 <= day <= _days_in_month(astronomical_year, month):
        return None
    hour, minute, second = int(found["hour"]), int(found["minute"]), int(found["second"])
    if hour == 24:
        if minute or second or (found["fraction"] or "0").strip("0"):
            return None
    elif hour > 23 or minute > 59 or second > 59:
        return None
    if found["zone_sign"]:
        zone_hour, zone_minute = int(found["zone_hour"]), int(found["zone_minute"])
        if zone_minute > 59 or zone_hour > 14 or (zone_hour == 14 and zone_minute):
            return None
    return found


def is_xs_datetime(text: str) -> bool:
    """Whether ``text`` is a lexically valid ``xs:dateTime`` (XML Schema 1.0)."""
    return _match(text) is not None


def has_offset(text: str) -> bool:
    """Whether ``text`` is a valid ``xs:dateTime`` that carries ``Z`` or an offset."""
    found = _match(text)
    return found is not None and found["zone"] is not None


def parse_xs_datetime(text: str) -> datetime:
    """The instant an ``xs:dateTime`` denotes, as an aware :class:`datetime`.

    A value without offset is taken as UTC (a documented choice: the engine's zone is
    unknown to the suite). ``24:00:00`` is midnight of the next day. Digits of a fraction
    beyond microseconds are dropped. :class:`ValueError` when ``text`` is not a valid
    ``xs:dateTime``, or denotes a year Python cannot represent (before 1 or after 9999).
    """
    found = _match(text)
    if found is None:
        raise ValueError(f"{text!r} is not a valid xs:dateTime")
    year = int(found["year"])
    if found["sign"] or year > 9999:
        raise ValueError(f"{text!r} lies outside the years 0001-9999 this suite can compare")
    zone = UTC
    if found["zone_sign"]:
        offset = timedelta(hours=int(found["zone_hour"]), minutes=int(found["zone_minute"]))
        zone = timezone(-offset if found["zone_sign"] == "-" else offset)
    hour = int(found["hour"])
    microsecond = int((found["fraction"] or "0")[:6].ljust(6, "0"))
    try:
        instant = datetime(
            year,
            int(found["month"]),
            int(found["day"]),
            0 if hour == 24 else hour,
            int(found["minute"]),
            int(found["second"]),
            microsecond,
            tzinfo=zone,
        )
        return instant + timedelta(days=1) if hour == 24 else instant
    except OverflowError:
        raise ValueError(f"{text!r} lies outside the years 0001-9999 this suite can compare") from None
