"""Event consumers of the recruitment service: none, it owns the roster the others project."""

from __future__ import annotations

from chassis.inbox import Handler

HANDLERS: dict[str, Handler] = {}
