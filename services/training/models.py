"""Tables of the training service."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.db import NAMING_CONVENTION, UtcDateTime
from chassis.inbox import inbox_table
from chassis.outbox import Outbox, outbox_table
from chassis.projection import RosterColumns
from contracts import validate_event


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


outbox = Outbox(outbox_table(Base.metadata), source="training", validate=validate_event)
inbox = inbox_table(Base.metadata)


class Employee(RosterColumns, Base):
    """Projection of the roster: whose JP are counted where, and who still owes Latsar.

    The name goes on enrolment lists and certificates, JP compliance is counted per unit, and
    competency standards go by position.
    """

    status: Mapped[str] = mapped_column(String(8))  # a CPNS owes Latsar
    tmt_cpns: Mapped[date] = mapped_column(Date)  # Latsar falls within the probation year


class TrainingNeed(Base):
    """A training need of an employee, identified from an appraisal or an appointment."""

    __tablename__ = "training_needs"
    __table_args__ = (
        # The facts that make a need: a redelivered or repeated event finds its need here.
        UniqueConstraint(
            "source", "source_ref", "kind", "competency", name="uq_training_needs_fact"
        ),
        CheckConstraint("kind IN ('DEVELOPMENT', 'COMPETENCY', 'LATSAR')", name="kind"),
        CheckConstraint("source IN ('APPRAISAL', 'APPOINTMENT', 'GAP_ANALYSIS')", name="source"),
        CheckConstraint(
            "competency_type IN ('TEKNIS', 'MANAJERIAL', 'SOSIAL_KULTURAL')",
            name="competency_type",
        ),
        Index("ix_training_needs_unit_year", "unit", "year"),  # per-unit lists and summaries
    )

    need_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), index=True)  # an employee's own needs
    unit: Mapped[str] = mapped_column(String(64))  # the unit when identified; plans go by unit
    year: Mapped[int] = mapped_column(Integer)  # the year of the development plan
    kind: Mapped[str] = mapped_column(String(16))
    competency: Mapped[str] = mapped_column(String(200))
    competency_type: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str] = mapped_column(String(64))  # appraisal_id, or the NIP (appointment)
    reason: Mapped[str] = mapped_column(String(500))
    # The appraiser (or, on appointment, the direct supervisor): who may read it besides admins.
    supervisor_nip: Mapped[str | None] = mapped_column(String(18), index=True)
    status: Mapped[str] = mapped_column(String(16))  # OPEN; later PLANNED, DONE
    identified_at: Mapped[datetime] = mapped_column(UtcDateTime())
