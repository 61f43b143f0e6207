"""Tables of the appraisal service."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.db import NAMING_CONVENTION, BigId, UtcDateTime
from chassis.inbox import inbox_table
from chassis.outbox import Outbox, outbox_table
from chassis.projection import RosterColumns
from contracts import validate_event


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


outbox = Outbox(outbox_table(Base.metadata), source="appraisal", validate=validate_event)
inbox = inbox_table(Base.metadata)


class Employee(RosterColumns, Base):
    """Projection of the roster: who works where, and who appraises whom."""

    supervisor_nip: Mapped[str | None] = mapped_column(String(18), index=True)
    status: Mapped[str] = mapped_column(String(8))
    tmt_cpns: Mapped[date] = mapped_column(Date)


PERIODS = ("ANNUAL", "Q1", "Q2", "Q3", "Q4")


class Period(Base):
    """A performance period: the year's annual appraisal or one of its quarterly reviews."""

    __tablename__ = "periods"
    __table_args__ = (
        CheckConstraint("kind IN ('ANNUAL', 'Q1', 'Q2', 'Q3', 'Q4')", name="kind"),
        CheckConstraint("status IN ('OPEN', 'CLOSED')", name="status"),
    )

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    status: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SkpPlan(Base):
    """An employee's SKP for a period: result items with indicators and targets."""

    __tablename__ = "skp_plans"
    __table_args__ = (
        UniqueConstraint("nip", "year", "period", name="skp_plans_once_per_period"),
        CheckConstraint("status IN ('DRAFT', 'AGREED')", name="status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    nip: Mapped[str] = mapped_column(String(18), index=True)
    year: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(8))
    # [{"result": ..., "indicator": ..., "target": ...}, ...]: the plan is one document.
    items: Mapped[list] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(8))
    appraiser_nip: Mapped[str | None] = mapped_column(String(18))
    employee_agreed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    appraiser_agreed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Appraisal(Base):
    """A rating of an employee for a period by their appraiser, with its predikat."""

    __tablename__ = "appraisals"
    __table_args__ = (
        UniqueConstraint("nip", "year", "period", name="appraisals_once_per_period"),
        CheckConstraint("status IN ('RATED', 'FINALIZED')", name="status"),
        Index("ix_appraisals_year_unit", "year", "unit"),
    )

    # "<nip>-<year>-<period>": stable across re-decisions, so consumers keep the newest.
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), index=True)
    unit: Mapped[str] = mapped_column(String(64))
    appraiser_nip: Mapped[str] = mapped_column(String(18))
    year: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(8))
    skp_id: Mapped[int] = mapped_column(BigId, ForeignKey("skp_plans.id"))
    results_rating: Mapped[str] = mapped_column(String(8))
    behaviour_rating: Mapped[str] = mapped_column(String(8))
    behaviour_values: Mapped[dict] = mapped_column(JSON)
    results_comment: Mapped[str | None] = mapped_column(Text)
    behaviour_comment: Mapped[str | None] = mapped_column(Text)
    predikat: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(10))
    unit_rating: Mapped[str | None] = mapped_column(String(16))
    revision: Mapped[int] = mapped_column(Integer)
    rated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finalized_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class UnitRating(Base):
    """A unit's (organisation's) rating for a year, set by admins; it bounds the predikat."""

    __tablename__ = "unit_ratings"
    __table_args__ = (
        CheckConstraint(
            "rating IN ('ISTIMEWA', 'BAIK', 'BUTUH_PERBAIKAN', 'KURANG', 'SANGAT_KURANG')",
            name="rating",
        ),
    )

    unit: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rating: Mapped[str] = mapped_column(String(16))
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finalized_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finalized_by: Mapped[str | None] = mapped_column(String(64))


class Objection(Base):
    """An employee's objection (keberatan) to a finalized annual rating, and its decision."""

    __tablename__ = "objections"
    __table_args__ = (
        CheckConstraint("status IN ('PENDING', 'UPHELD', 'REJECTED')", name="status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    appraisal_id: Mapped[str] = mapped_column(String(40), ForeignKey("appraisals.id"), unique=True)
    nip: Mapped[str] = mapped_column(String(18), index=True)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    filed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(18))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decision_reason: Mapped[str | None] = mapped_column(Text)
    previous_predikat: Mapped[str] = mapped_column(String(16))
    new_predikat: Mapped[str | None] = mapped_column(String(16))
