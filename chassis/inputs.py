"""Bounds every request's input keeps to: a safe JSON parse and bounded integer path values.

A body nested hundreds of levels deep, an integer literal of thousands of digits, or a path id
beyond a database integer must be a 400/422 that names the problem, never a RecursionError,
a ValueError from `int()` or an overflow in the database driver (a 500).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest, UnprocessableEntity
from werkzeug.routing import IntegerConverter, Map, Rule

from chassis.fields import INT_MAX

MAX_JSON_DEPTH = 64  # the platform's documents are a few levels deep
MAX_INT_DIGITS = 40  # beyond any 64-bit integer; the fields' own bounds then name the field


class UnsafeJson(ValueError):
    """A JSON document the platform refuses to parse (too deep, a number too long)."""


def _parse_int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INT_DIGITS:
        raise UnsafeJson(f"An integer in the body has more than {MAX_INT_DIGITS} digits.")
    return int(literal)


def _parse_constant(name: str) -> Any:
    raise UnsafeJson(f"{name} is not JSON.")


def loads(data: str | bytes) -> Any:
    """`json.loads` within the platform's bounds; UnsafeJson (a ValueError) beyond them."""
    try:
        document = json.loads(data, parse_int=_parse_int, parse_constant=_parse_constant)
    except RecursionError:
        raise UnsafeJson(f"The body is nested deeper than {MAX_JSON_DEPTH} levels.") from None
    check_depth(document)
    return document


def check_depth(document: Any, limit: int = MAX_JSON_DEPTH) -> None:
    """UnsafeJson when arrays and objects in `document` nest deeper than `limit` (no recursion)."""
    if not isinstance(document, dict | list):
        return
    pending = [(document, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > limit:
            raise UnsafeJson(f"The body is nested deeper than {limit} levels.")
        children = node.values() if isinstance(node, dict) else node
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider with `loads` bounded (request.get_json and friends)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s)


class IntegerPathConverter(IntegerConverter):
    """`<int:name>` held within a database integer (and the rule's own min/max): beyond it a 422
    naming the path parameter, not an overflow in the database driver."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        upper = INT_MAX if max is None else max
        super().__init__(map, fixed_digits, min=min, max=upper, signed=signed)
        self.name = "path"  # set to the variable's name by BoundedRule

    def to_python(self, value: str) -> int:
        low = self.min if self.min is not None else (-INT_MAX - 1 if self.signed else 0)
        if len(value.lstrip("-")) > len(str(INT_MAX)) or not low <= int(value) <= self.max:
            raise OutOfRange(self.name, f"Must be between {low} and {self.max}.")
        return int(value)


class OutOfRange(UnprocessableEntity):
    """A 422 naming the path parameter (raised while matching; Flask renders it after)."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__("The request is not valid.")
        self.data = {"messages": {"path": {name: [reason]}}}


class BoundedRule(Rule):
    """A URL rule whose converters know the name of the variable they convert."""

    def get_converter(self, variable_name: str, *args: Any, **kwargs: Any) -> Any:
        converter = super().get_converter(variable_name, *args, **kwargs)
        if isinstance(converter, IntegerPathConverter):
            converter.name = variable_name
        return converter


def init_app(app: Flask) -> None:
    """Bound integer path values and `request.get_json` of `app` (before any route is added)."""
    app.url_rule_class = BoundedRule
    app.url_map.converters["int"] = IntegerPathConverter
    app.json = SafeJSONProvider(app)


def check_json_bodies(app: Flask, unchecked_endpoints: frozenset[str] = frozenset()) -> None:
    """Parse every JSON body once up front within the bounds (400 beyond them); webargs parses
    it again, safely then. `unchecked_endpoints` are left alone (the gateway's proxy streams
    bodies to the service, which checks)."""

    @app.before_request
    def _bounded_json() -> None:
        if request.is_json and request.endpoint not in unchecked_endpoints:
            try:
                loads(request.get_data(cache=True))
            except UnsafeJson as exc:
                raise BadRequest(str(exc)) from None
            except ValueError:
                pass  # malformed JSON: the view's parser answers it (400) as before
