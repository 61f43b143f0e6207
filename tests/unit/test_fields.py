"""The shared schema pieces: trimmed text and validators made from pure rules."""

from __future__ import annotations

import marshmallow as ma
import pytest

from chassis.fields import Text, check


class Sample(ma.Schema):
    name = Text(required=True)
    code = ma.fields.String(validate=check(lambda v: None if v.isdigit() else "Digits only."))


def test_text_is_trimmed():
    assert Sample().load({"name": "  Siti  "}) == {"name": "Siti"}


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_blank_text_is_refused(blank):
    with pytest.raises(ma.ValidationError) as refused:
        Sample().load({"name": blank})
    assert refused.value.messages == {"name": ["Must not be blank."]}


def test_a_rule_problem_becomes_the_field_error():
    with pytest.raises(ma.ValidationError) as refused:
        Sample().load({"name": "x", "code": "12a"})
    assert refused.value.messages == {"code": ["Digits only."]}
    assert Sample().load({"name": "x", "code": "123"})["code"] == "123"
