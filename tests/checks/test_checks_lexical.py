"""The value grammars: xs:dateTime, xs:boolean, GUID, and reading dates as instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks import (
    collapse_whitespace,
    has_offset,
    is_guid,
    is_xs_boolean,
    is_xs_datetime,
    parse_xs_boolean,
    parse_xs_datetime,
)

# --- xs:dateTime: tables ---------------------------------------------------------------

VALID_DATES = [
    pytest.param("2010-08-16T14:24:29", id="seed-no-offset"),
    pytest.param("2010-08-16T14:24:29Z", id="utc"),
    pytest.param("2010-08-16T14:24:29.123+02:00", id="millis-plus-offset"),
    pytest.param("2015-02-09T18:09:24.123456789-05:30", id="nanos-half-hour-offset"),
    pytest.param("2010-08-16T14:24:29.5", id="one-digit-fraction"),
    pytest.param("2012-02-29T00:00:00Z", id="leap-day"),
    pytest.param("2000-02-29T00:00:00Z", id="leap-day-400"),
    pytest.param("2010-12-31T24:00:00", id="hour-24"),
    pytest.param("2010-12-31T24:00:00.000Z", id="hour-24-zero-fraction"),
    pytest.param("2010-08-16T23:59:59+14:00", id="max-offset"),
    pytest.param("2010-08-16T00:00:00-14:00", id="min-offset"),
    pytest.param("0001-01-01T00:00:00Z", id="year-1"),
    pytest.param("12010-08-16T14:24:29Z", id="five-digit-year"),
    pytest.param("-0044-03-15T12:00:00", id="negative-year"),
    pytest.param("-0001-02-29T00:00:00", id="1-bce-is-leap"),
    pytest.param("  2010-08-16T14:24:29Z\n\t", id="collapsed-whitespace"),
    pytest.param("2010-08-16T14:24:29\n", id="trailing-newline"),
]

INVALID_DATES = [
    pytest.param("2010-08-16 14:24:29", id="space-separator"),
    pytest.param("Tue Feb 10 00:39:24 CET 2015", id="java-date-tostring"),
    pytest.param("2010-08-16", id="date-only"),
    pytest.param("14:24:29", id="time-only"),
    pytest.param("2010-8-16T14:24:29", id="one-digit-month"),
    pytest.param("10-08-16T14:24:29", id="two-digit-year"),
    pytest.param("0000-01-01T00:00:00", id="year-zero"),
    pytest.param("02010-08-16T14:24:29", id="five-digit-year-leading-zero"),
    pytest.param("2010-13-01T00:00:00", id="month-13"),
    pytest.param("2010-00-01T00:00:00", id="month-0"),
    pytest.param("2010-04-31T00:00:00", id="april-31"),
    pytest.param("2011-02-29T00:00:00", id="feb-29-not-leap"),
    pytest.param("1900-02-29T00:00:00", id="feb-29-century"),
    pytest.param("2010-08-00T00:00:00", id="day-0"),
    pytest.param("2010-08-16T25:00:00", id="hour-25"),
    pytest.param("2010-08-16T24:00:01", id="hour-24-with-seconds"),
    pytest.param("2010-08-16T24:00:00.5", id="hour-24-with-fraction"),
    pytest.param("2010-08-16T14:60:00", id="minute-60"),
    pytest.param("2010-08-16T14:24:60", id="leap-second"),
    pytest.param("2010-08-16T14:24:29.", id="empty-fraction"),
    pytest.param("2010-08-16T14:24:29,5", id="comma-fraction"),
    pytest.param("2010-08-16T14:24", id="no-seconds"),
    pytest.param("2010-08-16T14:24:29+0200", id="offset-without-colon"),
    pytest.param("2010-08-16T14:24:29+02", id="offset-hours-only"),
    pytest.param("2010-08-16T14:24:29+14:30", id="offset-beyond-14"),
    pytest.param("2010-08-16T14:24:29+15:00", id="offset-15"),
    pytest.param("2010-08-16T14:24:29+02:60", id="offset-minute-60"),
    pytest.param("2010-08-16T14:24:29z", id="lower-case-z"),
    pytest.param("2010-08-16t14:24:29", id="lower-case-t"),
    pytest.param("2010-08-16T14:24:29ZZ", id="double-z"),
    pytest.param("\u00a02010-08-16T14:24:29", id="no-break-space"),
    pytest.param("\uff12\uff10\uff11\uff10-08-16T14:24:29", id="fullwidth-digits"),
    pytest.param("2010-08-16T14:24:29 Z", id="space-before-zone"),
    pytest.param("", id="empty"),
]


@pytest.mark.parametrize("text", VALID_DATES)
def test_valid_datetime(text: str) -> None:
    assert is_xs_datetime(text)


@pytest.mark.parametrize("text", INVALID_DATES)
def test_invalid_datetime(text: str) -> None:
    assert not is_xs_datetime(text)
    assert not has_offset(text)
    with pytest.raises(ValueError, match="not a valid xs:dateTime"):
        parse_xs_datetime(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2010-08-16T14:24:29", datetime(2010, 8, 16, 14, 24, 29, tzinfo=UTC), id="naive-is-utc"),
        pytest.param("2010-08-16T16:24:29+02:00", datetime(2010, 8, 16, 14, 24, 29, tzinfo=UTC), id="plus-offset"),
        pytest.param("2010-08-16T08:54:29-05:30", datetime(2010, 8, 16, 14, 24, 29, tzinfo=UTC), id="minus-half-hour"),
        pytest.param("2010-08-16T14:24:29.123456789Z", datetime(2010, 8, 16, 14, 24, 29, 123456, tzinfo=UTC), id="nanos-cut"),
        pytest.param("2010-08-16T14:24:29.5Z", datetime(2010, 8, 16, 14, 24, 29, 500000, tzinfo=UTC), id="half-second"),
        pytest.param("2010-12-31T24:00:00Z", datetime(2011, 1, 1, tzinfo=UTC), id="hour-24-is-next-day"),
    ],
)
def test_parse_datetime_instant(text: str, expected: datetime) -> None:
    parsed = parse_xs_datetime(text)
    assert parsed.tzinfo is not None
    assert parsed == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("-0044-03-15T12:00:00", id="bce"),
        pytest.param("12010-08-16T14:24:29Z", id="beyond-9999"),
        pytest.param("9999-12-31T24:00:00Z", id="hour-24-overflows"),
    ],
)
def test_valid_but_unrepresentable_datetime(text: str) -> None:
    assert is_xs_datetime(text)
    with pytest.raises(ValueError, match="outside the years"):
        parse_xs_datetime(text)


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        pytest.param("2010-08-16T14:24:29", False, id="none"),
        pytest.param("2010-08-16T14:24:29Z", True, id="z"),
        pytest.param("2010-08-16T14:24:29.000+02:00", True, id="plus"),
        pytest.param("2010-08-16T14:24:29-05:30", True, id="minus"),
    ],
)
def test_has_offset(text: str, offset: bool) -> None:
    assert has_offset(text) is offset


# --- xs:dateTime: properties -----------------------------------------------------------

_zones = st.one_of(
    st.just(""),
    st.just("Z"),
    st.builds(
        lambda sign, minutes: f"{sign}{minutes // 60:02d}:{minutes % 60:02d}",
        st.sampled_from("+-"),
        st.integers(0, 14 * 60),
    ),
)


@given(
    moment=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    fraction=st.one_of(st.just(""), st.text(alphabet="0123456789", min_size=1, max_size=12).map(lambda d: "." + d)),
    zone=_zones,
)
def test_every_formatted_datetime_is_valid_and_denotes_its_instant(moment: datetime, fraction: str, zone: str) -> None:
    text = f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}{fraction}{zone}"
    assert is_xs_datetime(text)
    assert has_offset(text) is (zone != "")
    parsed = parse_xs_datetime(text)
    offset = timedelta()
    if zone not in ("", "Z"):
        offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])) * (-1 if zone[0] == "-" else 1)
    micro = int((fraction[1:] or "0")[:6].ljust(6, "0"))
    assert parsed == moment.replace(microsecond=micro, tzinfo=timezone(offset))


@given(st.text(max_size=40))
def test_datetime_grammar_never_crashes(text: str) -> None:
    valid = is_xs_datetime(text)
    if valid:
        assert "T" in text
        try:
            parse_xs_datetime(text)
        except ValueError as error:
            message = str(error)
        else:
            message = "outside the years"
        assert "outside the years" in message
    else:
        with pytest.raises(ValueError):
            parse_xs_datetime(text)


@given(st.dates(), st.times())
def test_space_separated_datetime_is_never_valid(day: object, time: object) -> None:
    assert not is_xs_datetime(f"{day} {time}")


# --- xs:boolean -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("true", True, id="true"),
        pytest.param("false", False, id="false"),
        pytest.param("1", True, id="one"),
        pytest.param("0", False, id="zero"),
        pytest.param(" \ttrue\r\n", True, id="collapsed-whitespace"),
    ],
)
def test_valid_boolean(text: str, value: bool) -> None:
    assert is_xs_boolean(text)
    assert parse_xs_boolean(text) is value


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("yes", id="yes"),
        pytest.param("no", id="no"),
        pytest.param("True", id="capitalised"),
        pytest.param("TRUE", id="upper"),
        pytest.param("t", id="t"),
        pytest.param("01", id="zero-one"),
        pytest.param("", id="empty"),
        pytest.param("\u00a0true", id="no-break-space"),
        pytest.param("tr ue", id="inner-space"),
    ],
)
def test_invalid_boolean(text: str) -> None:
    assert not is_xs_boolean(text)
    with pytest.raises(ValueError, match="not an xs:boolean"):
        parse_xs_boolean(text)


@given(st.text(max_size=12))
def test_boolean_grammar_is_exactly_four_words(text: str) -> None:
    assert is_xs_boolean(text) is (collapse_whitespace(text) in {"true", "false", "1", "0"})


@given(st.sampled_from(["true", "false", "1", "0"]), st.text(alphabet=" \t\r\n", max_size=4), st.text(alphabet=" \t\r\n", max_size=4))
def test_boolean_whitespace_collapses(word: str, before: str, after: str) -> None:
    assert parse_xs_boolean(before + word + after) is (word in {"true", "1"})


# --- GUID ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        pytest.param("a209216d-2909-4802-8886-02aad55dccc8", True, id="lower"),
        pytest.param("A209216D-2909-4802-8886-02AAD55DCCC8", True, id="upper"),
        pytest.param("00000000-0000-0000-0000-000000000000", True, id="zeros"),
        pytest.param("{a209216d-2909-4802-8886-02aad55dccc8}", False, id="braces"),
        pytest.param("a209216d-29094802-8886-02aad55dccc8", False, id="wrong-groups"),
        pytest.param("a209216d290948028886" + "02aad55dccc8", False, id="no-dashes"),
        pytest.param("g209216d-2909-4802-8886-02aad55dccc8", False, id="not-hex"),
        pytest.param("a209216d-2909-4802-8886-02aad55dccc8\n", False, id="trailing-newline"),
        pytest.param(" a209216d-2909-4802-8886-02aad55dccc8", False, id="leading-space"),
        pytest.param("", False, id="empty"),
    ],
)
def test_guid(text: str, valid: bool) -> None:
    assert is_guid(text) is valid


@given(st.uuids())
def test_every_uuid_is_a_guid(value: object) -> None:
    assert is_guid(str(value))
    assert is_guid(str(value).upper())
