"""What a domain service hands to the chassis: its name, tables, outbox, handlers and routes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from sqlalchemy import MetaData, Table

from chassis.handler_chain import combine_handlers
from chassis.inbox import Handler
from chassis.jobs import Jobs
from chassis.outbox import Outbox

if TYPE_CHECKING:
    from chassis.employees import EmployeeProjection


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

    @classmethod
    def declare(
        cls,
        models: ModuleType,
        api: ModuleType | Sequence[ModuleType],
        handlers: ModuleType,
        validate_event: Callable[[Mapping[str, Any]], None] | None,
        title: str,
        description: str = "",
        *,
        jobs: Jobs | None = None,
    ) -> ServiceSpec:
        """The spec of a service from its modules: `models` (Base, outbox, inbox), `api`
        (BLUEPRINTS; or several such modules) and `handlers` (HANDLERS, and EMPLOYEES when it
        keeps the roster).

        The service is named after its package and its migrations sit beside its models; a
        roster projection (`chassis.employees`) adds its handlers and `GET /employees/{nip}`.
        """
        apis = api if isinstance(api, Sequence) else (api,)
        blueprints = tuple(bp for module in apis for bp in module.BLUEPRINTS)
        consumers = dict(handlers.HANDLERS)
        employees: EmployeeProjection | None = getattr(handlers, "EMPLOYEES", None)
        if employees is not None:
            blueprints = (employees.blueprint, *blueprints)
            consumers = combine_handlers(employees.handlers, consumers)
        return cls(
            name=models.__name__.split(".")[-2],
            title=title,
            description=description,
            metadata=models.Base.metadata,
            outbox=models.outbox,
            inbox=models.inbox,
            migrations_dir=Path(models.__file__).parent / "migrations",
            blueprints=blueprints,
            handlers=consumers,
            validate_event=validate_event,
            jobs=jobs,
        )
