"""Marshmallow pieces every service's schemas use: a trimmed text field, rule-backed validators."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma


class Text(ma.fields.String):
    """A string with surrounding whitespace removed, refused when nothing is left."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise ma.ValidationError("Must not be blank.")
        return text


def check(problem_of: Callable[[Any], str | None]) -> Callable[[Any], None]:
    """A validator from a pure rule that returns why a value is refused, or None when valid.

    Rules say why in words (rules.py, contracts.identifiers); the 422 carries those words.
    """

    def validate(value: Any) -> None:
        problem = problem_of(value)
        if problem:
            raise ma.ValidationError(problem)

    return validate


# A PostgreSQL `integer`: every id, year, quota or count the services store fits in it.
INT_MAX = 2**31 - 1
INT_MIN = -(2**31)
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"


class Integer(ma.fields.Integer):
    """An integer held within a database integer (and any tighter Range given): beyond it a 422
    naming the field, never an overflow in the database driver."""

    def __init__(self, *, minimum: int = INT_MIN, maximum: int = INT_MAX, **kwargs: Any) -> None:
        validate = kwargs.pop("validate", None)
        given = [] if validate is None else validate if isinstance(validate, list) else [validate]
        bounded = any(
            isinstance(v, ma.validate.Range) and v.min is not None and v.max is not None
            for v in given
        )
        bound = [] if bounded else [ma.validate.Range(minimum, maximum)]
        super().__init__(validate=[*bound, *given], **kwargs)


class Decimal(ma.fields.Decimal):
    """A decimal number as it is on the wire: a string of digits (so that no float rounds it).

    Input may also be a JSON number; OpenAPI types it a string with the pattern (see
    chassis.web, which maps this field to `{"type": "string", "format": "decimal"}`).
    """

    def __init__(self, places: int | None = None, **kwargs: Any) -> None:
        metadata = {"pattern": DECIMAL_PATTERN, **kwargs.pop("metadata", {})}
        kwargs.pop("as_string", None)
        super().__init__(places, as_string=True, metadata=metadata, **kwargs)
