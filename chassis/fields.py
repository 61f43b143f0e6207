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
