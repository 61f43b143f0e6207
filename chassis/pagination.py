"""The one pagination contract of every list endpoint: `?page=&page_size=` in, an envelope out.

    GET /things?page=2&page_size=50  ->  {"items": [...], "page": 2, "page_size": 50, "total": 1234}

Both arguments are bounded (a page past `MAX_PAGE` or a size past `MAX_PAGE_SIZE` is a 422
naming the field, never a database overflow); the list's ORDER BY must be total so that pages
neither repeat nor skip rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_PAGE = 1_000_000  # x MAX_PAGE_SIZE rows: beyond any list here, within a 32-bit offset


class PageArgsSchema(ma.Schema):
    """The page wanted of a long list (extend it with the list's filters)."""

    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=MAX_PAGE))
    page_size = ma.fields.Integer(
        load_default=DEFAULT_PAGE_SIZE, validate=ma.validate.Range(min=1, max=MAX_PAGE_SIZE)
    )


def page_schema(item: type[ma.Schema], what: str) -> type[ma.Schema]:
    """The schema of one page of `item`s, with how many there are in all."""
    fields = {
        "items": ma.fields.List(ma.fields.Nested(item), required=True),
        "page": ma.fields.Integer(required=True),
        "page_size": ma.fields.Integer(required=True),
        "total": ma.fields.Integer(required=True),
    }
    schema = ma.Schema.from_dict(fields, name=f"{item.__name__.removesuffix('Schema')}Page")
    schema.__doc__ = f"One page of {what}, and how many there are in all."
    return schema


def page_of(
    session: Session,
    query: Select,
    page: int = 1,
    page_size: int = MAX_PAGE_SIZE,
    shape: Callable[..., Any] | None = None,
) -> dict[str, Any]:
    """One page of `query` (whose ORDER BY must be total) and how many rows it has in all;
    each row is passed to `shape` (unpacked), or, for a one-entity query, given as is."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.execute(query.limit(page_size).offset((page - 1) * page_size))
    items = [shape(*row) for row in rows] if shape else list(rows.scalars())
    return {"items": items, "page": page, "page_size": page_size, "total": total}
