"""Workflows run outside a request: a unit of work opened by hand (as a job or the CLI would),
with no Flask app or request context anywhere, appoints, scores and ranks, and commits once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from flask import has_app_context, has_request_context
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from chassis.db import make_engine
from chassis.domain import ConflictError, Invalid
from chassis.migrations import upgrade
from chassis.principal import Principal, system_actor
from chassis.uow import unit_of_work
from services.recruitment import roster
from services.recruitment.app import SPEC
from services.recruitment.models import Employee, Sanction, outbox
from services.recruitment.selection import applications, formations, results, scores
from services.recruitment.selection.models import AuditEntry, SelectionResult
from tests.service.selection_support import applicant, formation_body

ADMIN = Principal(username="bkd-admin", roles=("admin",))


@pytest.fixture
def factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated recruitment database, and nothing of Flask."""
    url = f"sqlite:///{tmp_path}/recruitment.db"
    upgrade(SPEC.migrations_dir, url)
    engine = make_engine(url)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def events(factory: sessionmaker[Session]) -> list[str]:
    with factory() as session:
        return list(session.scalars(select(outbox.table.c.event_type)))


def test_a_roster_appointment_commits_with_its_event_outside_flask(factory, employee_events):
    assert not has_app_context() and not has_request_context()
    record = employee_events.record()
    values = {**record, **{k: date.fromisoformat(record[k]) for k in ("birth_date", "tmt_cpns")}}

    with unit_of_work(factory, outbox, system_actor("cli")) as uow:
        roster.appoint(uow, values, source="import")

    with factory() as session:
        assert session.get(Employee, record["nip"]).name == record["name"]
    assert events(factory) == ["recruitment.employee.appointed"]


def test_a_refused_workflow_leaves_nothing_behind(factory, employee_events):
    record = employee_events.record(status="CPNS")
    values = {**record, "birth_date": date(1991, 1, 1), "tmt_cpns": date(2015, 3, 1)}

    with pytest.raises(Invalid) as refused, unit_of_work(factory, outbox, ADMIN) as uow:
        roster.appoint(uow, values)

    assert "birth_date" in refused.value.problems
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Employee)) == 0
    assert events(factory) == []


def test_a_clash_undoes_only_the_savepoint_and_the_caller_goes_on(factory, employee_events):
    record = employee_events.record()
    values = {**record, **{k: date.fromisoformat(record[k]) for k in ("birth_date", "tmt_cpns")}}
    sanction = {
        "sanction_id": "SK-1/2025",
        "level": "RINGAN",
        "kind": "Teguran lisan",
        "decided_on": date(2025, 1, 6),
        "effective_from": date(2025, 1, 6),
        "effective_until": None,
    }

    with unit_of_work(factory, outbox, ADMIN) as uow:
        roster.appoint(uow, values)
        # Written meanwhile by "someone else", out of sight of the workflow's own check.
        uow.session.execute(
            insert(Sanction.__table__).values(
                **sanction, nip=record["nip"], created_at=datetime.now(UTC)
            )
        )
        with pytest.raises(ConflictError, match="already recorded"):
            uow.add_new(
                Sanction(**sanction, nip=record["nip"], created_at=datetime.now(UTC)),
                "A sanction with SK number SK-1/2025 is already recorded.",
            )

    with factory() as session:
        assert session.get(Employee, record["nip"]) is not None
        assert session.scalar(select(func.count()).select_from(Sanction)) == 1
    assert events(factory) == ["recruitment.employee.appointed"]


def test_a_ranking_runs_outside_flask_and_audits_the_uow_actor(factory):
    with unit_of_work(factory, outbox, ADMIN) as uow:
        formation = formations.create(uow, {**formation_body(), "quota": 1})
        for number in (1, 2):
            body = applicant(number)
            body["birth_date"] = date.fromisoformat(body["birth_date"])
            body["gpa"] = Decimal("3.5")
            applications.register(uow, formation.id, body)
            applications.verify(uow, f"REG-{number:05d}", "MS", None)
            skd = {"twk": 100, "tiu": 120, "tkp": 180 + number}
            scores.enter(uow, f"REG-{number:05d}", skd, None)
            scores.enter(uow, f"REG-{number:05d}", {"skb": Decimal(70)}, None)
    assert not has_app_context()

    with unit_of_work(factory, outbox, ADMIN) as uow:
        summary = results.rank_formation(uow, formation.id)

    assert summary["outcomes"] == {"NOT_SELECTED": 1, "SELECTED": 1}
    with factory() as session:
        best = session.scalars(select(SelectionResult).order_by(SelectionResult.rank)).first()
        actors = set(session.scalars(select(AuditEntry.actor)))
    assert best.rank == 1
    assert actors == {"bkd-admin"}
