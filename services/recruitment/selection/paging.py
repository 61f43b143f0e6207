"""Pages of the selection's long lists, shaped like the roster search's:
`{"items", "page", "page_size", "total"}`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def page_of(
    session: Session,
    query: Select,
    page: int,
    page_size: int,
    shape: Callable[..., Any] | None = None,
) -> dict[str, Any]:
    """One page of `query` (whose ORDER BY must be total) and how many rows it has in all;
    each row is passed to `shape` (unpacked), or, for a one-entity query, given as is."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.execute(query.limit(page_size).offset((page - 1) * page_size))
    items = [shape(*row) for row in rows] if shape else list(rows.scalars())
    return {"items": items, "page": page, "page_size": page_size, "total": total}
