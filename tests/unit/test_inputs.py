"""Bounds of every request's input: JSON depth and digits, integer fields and path values, CSV."""

from __future__ import annotations

import decimal

import marshmallow as ma
import pytest

from chassis import csvfile, inputs
from chassis.domain import Invalid
from chassis.fields import INT_MAX, Decimal, Integer


@pytest.mark.parametrize(
    "text",
    [
        "[" * 990 + "]" * 990,
        '{"a": ' * 70 + "1" + "}" * 70,
        "9" * 4301,
        '{"n": NaN}',
        "-" + "1" * 41,
    ],
)
def test_unsafe_json_is_refused_as_a_value_error(text):
    with pytest.raises(inputs.UnsafeJson):
        inputs.loads(text)


def test_json_within_the_bounds_parses():
    text = '{"a": ' * 60 + "[" + "9" * 40 + "]" + "}" * 60
    assert inputs.loads(text)


class Sample(ma.Schema):
    quota = Integer()
    year = Integer(validate=ma.validate.Range(2000, 2100))
    gpa = Decimal()


@pytest.mark.parametrize("value", [99999999999999999999, INT_MAX + 1, -(INT_MAX + 2)])
def test_an_integer_beyond_a_database_integer_is_refused_naming_the_field(value):
    with pytest.raises(ma.ValidationError) as refused:
        Sample().load({"quota": value})
    assert list(refused.value.messages) == ["quota"]


def test_a_tighter_range_replaces_the_database_bound():
    with pytest.raises(ma.ValidationError) as refused:
        Sample().load({"year": 99999999999999999999})
    assert refused.value.messages == {
        "year": ["Must be greater than or equal to 2000 and less than or equal to 2100."]
    }


def test_a_decimal_is_a_string_on_the_wire_and_takes_a_string_or_a_number():
    loaded = Sample().load({"gpa": "3.75"})
    assert Sample().dump(loaded) == {"gpa": "3.75"}
    assert Sample().load({"gpa": 3.5}) == {"gpa": decimal.Decimal("3.5")}


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        (b"", "empty"),
        (b"a,b\n", "no rows"),
        (b"a,b\n\xff,1\n", "not UTF-8"),
        (b"a,b\n" + b"1" * (129 * 1024) + b",2\n", "field limit"),
        (b'a,b\n"open,1\n', "Line"),
    ],
)
def test_an_unreadable_csv_is_a_422_naming_why(payload, why):
    with pytest.raises(Invalid) as refused:
        _header, rows = csvfile.read_csv(payload)
        list(rows)
    assert refused.value.location == "csv"
    assert why in refused.value.problems["file"][0]


@pytest.mark.parametrize(
    ("cell", "value"), [("12", 12), ("-3", -3), ("--1", None), ("9" * 19, None), ("١٢", None)]
)
def test_whole_numbers_are_digits_only_and_bounded(cell, value):
    assert csvfile.whole_number(cell) == value
