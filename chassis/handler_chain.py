"""Several handlers for one event type, run in order in the same transaction.

A service may keep what it needs of an event in more than one place (the shared roster
projection and a table of its own); the inbox dispatches one handler per type, so they are
chained here. A batch handler in a chain keeps getting its batches.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from chassis.bus import Event
from chassis.inbox import Handler, handles_batches


def combine_handlers(*maps: Mapping[str, Handler]) -> dict[str, Handler]:
    """One handler per event type: those of each map, run in the given order (same transaction)."""
    chains: dict[str, list[Handler]] = {}
    for handlers in maps:
        for event_type, handler in handlers.items():
            chains.setdefault(event_type, []).append(handler)
    return {t: chain[0] if len(chain) == 1 else _chain(t, chain) for t, chain in chains.items()}


def _chain(event_type: str, chain: list[Handler]) -> Handler:
    # A batch handler in the chain keeps its batches (chassis.inbox.handles_batches).
    if not any(hasattr(step, "many") for step in chain):

        def handler(session: Session, event: Event) -> None:
            for step in chain:
                step(session, event)

        handler.__name__ = _name(event_type)
        return handler

    @handles_batches
    def many(session: Session, events: list[Event]) -> None:
        for step in chain:
            if hasattr(step, "many"):
                step.many(session, events)
            else:
                for event in events:
                    step(session, event)

    many.__name__ = _name(event_type)
    return many


def _name(event_type: str) -> str:
    # Named like every handler: handle_<entity>_<verb> (checked by the contract tests).
    _service, entity, verb = event_type.split(".")
    return f"handle_{entity}_{verb}"
