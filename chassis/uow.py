"""The unit of work: one transaction's session, the service's outbox and the actor.

Workflows receive a `UnitOfWork` and never commit: whoever opened it does, in one place (the
view through `chassis.web.transaction`, the inbox for an event handler, a job runner, the CLI).
Nothing here touches Flask, so a workflow runs the same in a request, a job, a test or a command.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from chassis.bus import Event
from chassis.domain import ConflictError, NotAllowed, NotFoundError
from chassis.outbox import Outbox
from chassis.principal import Principal

T = TypeVar("T")


class UnitOfWork:
    """What a workflow works with: `session`, `actor`, and `publish` into the outbox."""

    def __init__(
        self,
        session: Session,
        outbox: Outbox | None = None,
        actor: Principal | None = None,
        correlation_id: str | None = None,
    ) -> None:
        self.session = session
        self.outbox = outbox
        self.actor = actor
        self.correlation_id = correlation_id

    @property
    def actor_name(self) -> str:
        """Who acts, for audit trails ("system" when nobody signed in)."""
        return self.actor.username if self.actor is not None else "system"

    def require_actor(self) -> Principal:
        """The actor; refused when the work was opened without one."""
        if self.actor is None:
            raise NotAllowed("This needs a signed-in actor.")
        return self.actor

    def publish(self, event_type: str, data: Mapping[str, Any], *, version: int = 1) -> Event:
        """Record an event; it leaves only if this unit of work commits."""
        return self._outbox().add(
            self.session, event_type, data, version=version, correlation_id=self.correlation_id
        )

    def publish_many(
        self,
        event_type: str,
        items: Iterable[Mapping[str, Any] | tuple[Mapping[str, Any], str | None]],
        *,
        version: int = 1,
    ) -> list[Event]:
        """Record one event per item (data, or (data, correlation id)) in one statement."""
        pairs = [item if isinstance(item, tuple) else (item, self.correlation_id) for item in items]
        return self._outbox().add_many(self.session, event_type, pairs, version=version)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Undo only what the block did when it raises; the caller's transaction goes on."""
        with self.session.begin_nested():
            yield

    def add_new(self, record: object, conflict: str) -> None:
        """Insert `record` now; a unique clash (a row written meanwhile by someone else) undoes
        only this insert, in a savepoint, and is refused as a `ConflictError(conflict)`."""
        try:
            with self.savepoint():
                self.session.add(record)
                self.session.flush()
        except IntegrityError:
            raise ConflictError(conflict) from None

    def flush(self) -> None:
        """Send pending changes to the database now (to see constraint violations early)."""
        self.session.flush()

    def _outbox(self) -> Outbox:
        if self.outbox is None:
            raise RuntimeError("this unit of work was opened without an outbox")
        return self.outbox


def get_or_refuse(
    session: Session, model: type[T], key: Any, missing: str, *, for_update: bool = False
) -> T:
    """The row of `model` with primary key `key`; `NotFoundError(missing)` when there is none."""
    found = session.get(model, key, with_for_update=for_update)
    if found is None:
        raise NotFoundError(missing)
    return found


@contextmanager
def unit_of_work(
    session_factory: sessionmaker[Session],
    outbox: Outbox | None = None,
    actor: Principal | None = None,
    correlation_id: str | None = None,
) -> Iterator[UnitOfWork]:
    """Open a unit of work: commit when the block ends normally, roll back on any error."""
    session = session_factory()
    try:
        yield UnitOfWork(session, outbox, actor, correlation_id)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
