"""What a domain service hands to the chassis: its name, tables, outbox, handlers and routes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table

from chassis.inbox import Handler
from chassis.jobs import Jobs
from chassis.outbox import Outbox


@dataclass(frozen=True)
class ServiceSpec:
    """The one place a service wires itself into the chassis (web app and worker alike)."""

    name: str
    title: str
    metadata: MetaData
    outbox: Outbox
    inbox: Table
    migrations_dir: Path
    blueprints: Sequence[Any] = ()
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    validate_event: Callable[[Mapping[str, Any]], None] | None = None
    description: str = ""
    # Long operations its worker runs (chassis.jobs); its app then serves GET /jobs/{id}.
    jobs: Jobs | None = None

    @property
    def consumes(self) -> tuple[str, ...]:
        """The event types this service's queue is bound to."""
        return tuple(sorted(self.handlers))
