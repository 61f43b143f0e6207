"""Latsar completions learned from training: the CPNS -> PNS gate (PP 11/2017 as amended by
PP 17/2020; Peraturan LAN 1/2021). Training owns the courses; recruitment keeps only the fact
that a NIP passed Latsar, from `training.course.completed` v2 (`latsar` true)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Date, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from chassis.bus import Event
from chassis.db import UtcDateTime, insert_if_absent
from chassis.domain import Invalid
from services.recruitment import rules
from services.recruitment.models import Base, Employee


class LatsarCompletion(Base):
    """A NIP that passed Latsar, as training reported it (the first report is kept)."""

    __tablename__ = "latsar_completions"

    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    enrolment_id: Mapped[str] = mapped_column(String(64))
    course_id: Mapped[str] = mapped_column(String(64))
    completed_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


def handle_course_completed(session: Session, event: Event) -> None:
    """Keep a passed Latsar; other courses (and v1 events, which cannot say) change nothing."""
    data = event.data
    if event.version < 2 or not data.get("latsar"):
        return
    dialect = session.get_bind().dialect.name
    session.execute(
        insert_if_absent(dialect, LatsarCompletion.__table__, ("nip",)),
        {
            "nip": data["nip"],
            "enrolment_id": data["enrolment_id"],
            "course_id": data["course_id"],
            "completed_on": date.fromisoformat(data["completed_on"]),
            "recorded_at": datetime.now(UTC),
        },
    )


def check_status_change(session: Session, employee: Employee, status: str) -> None:
    """Refuse CPNS -> PNS until a Latsar completion for the NIP has arrived (422 on status)."""
    passed = session.scalar(
        select(LatsarCompletion.nip).where(LatsarCompletion.nip == employee.nip)
    )
    problem = rules.latsar_problem(employee.status, status, latsar_passed=passed is not None)
    if problem:
        raise Invalid.field("status", problem)
