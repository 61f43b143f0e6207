"""A view's declaration in one decorator: who may call it, what it takes, answers and refuses.

`endpoint(blp, 200, Schema, roles=("admin",), body=InSchema, errors=(404, 409))` stands for
the stack every view would otherwise repeat, in the order the platform uses:

    @roles_required("admin")            # 401 / 403 before anything is parsed
    @blp.arguments(InSchema)            # or `query=`: `@blp.arguments(S, location="query")`
    @blp.response(200, Schema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")

Without `roles` the view is public (no role check). A view with more to say (a 202 job answer,
`@blp.doc`, pagination) keeps those decorators below this one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from flask_smorest import Blueprint

from chassis.auth import roles_required

F = TypeVar("F", bound=Callable[..., Any])

# The common error answers a view may declare (flask-smorest's named responses).
ERRORS = {
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    429: "TOO_MANY_REQUESTS",
}


def endpoint(
    blp: Blueprint,
    status: int = 200,
    schema: Any = None,
    *,
    roles: Sequence[str] | None = None,
    body: Any = None,
    query: Any = None,
    errors: Sequence[int] = (),
    **response: Any,
) -> Callable[[F], F]:
    """Declare a view's roles, input (`body` or `query`), answer and error answers at once."""
    if body is not None and query is not None:
        raise TypeError("a view takes its input from the body or the query, not both")
    unknown = set(errors) - set(ERRORS)
    if unknown:
        raise ValueError(f"no common error answer for {sorted(unknown)}")

    def decorate(view: F) -> F:
        for code in reversed(errors):
            view = blp.alt_response(code, response=ERRORS[code])(view)
        view = blp.response(status, schema, **response)(view)
        if query is not None:
            view = blp.arguments(query, location="query")(view)
        if body is not None:
            view = blp.arguments(body)(view)
        if roles is not None:
            view = roles_required(*roles)(view)
        return view

    return decorate
