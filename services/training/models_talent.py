"""Tables of career development: the annual predikat kept per NIP/year and assessments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime
from services.training.models import Base


class AnnualPredikat(Base):
    """A finalized annual predikat (from `appraisal.appraisal.finalized`): the performance axis."""

    __tablename__ = "annual_predikat"

    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    predikat: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(64))
    appraisal_id: Mapped[str] = mapped_column(String(64))
    finalized_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Assessment(Base):
    """An employee's newest competency-assessment result and the potential derived from it."""

    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint("potential IN ('LOW', 'MEDIUM', 'HIGH')", name="potential"),
        CheckConstraint("track_record IN ('GOOD', 'NEUTRAL', 'POOR')", name="track_record"),
    )

    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    assessed_on: Mapped[date] = mapped_column(Date)
    managerial: Mapped[float] = mapped_column(Float)  # mean level, 1-5
    socio_cultural: Mapped[float] = mapped_column(Float)  # mean level, 1-5
    job_match: Mapped[float] = mapped_column(Float)  # job-person match, percent
    education: Mapped[str] = mapped_column(String(4))
    experience_years: Mapped[int] = mapped_column(Integer)
    track_record: Mapped[str] = mapped_column(String(8))
    base_potential: Mapped[str] = mapped_column(String(8))
    potential: Mapped[str] = mapped_column(String(8))
    imported_by: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CriticalPosition(Base):
    """A position an admin marked critical: it needs a pool of candidates and successors."""

    __tablename__ = "critical_positions"

    position_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(64), index=True)
    note: Mapped[str | None] = mapped_column(String(500))
    marked_by: Mapped[str] = mapped_column(String(100))
    marked_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Candidate(Base):
    """A member of a critical position's talent pool (a successor when `rank` is set)."""

    __tablename__ = "pool_candidates"
    __table_args__ = (
        CheckConstraint("readiness IN ('NOW', 'ONE_TO_TWO_YEARS', 'LATER')", name="readiness"),
        CheckConstraint("status IN ('ACTIVE', 'DROPPED')", name="status"),
    )

    position_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("critical_positions.position_id"), primary_key=True
    )
    nip: Mapped[str] = mapped_column(String(18), primary_key=True, index=True)
    year: Mapped[int] = mapped_column(Integer)  # the talent map the box comes from
    box: Mapped[int] = mapped_column(Integer)
    competency_match: Mapped[float] = mapped_column(Float)  # job-person match, percent
    readiness: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(8))
    successor_rank: Mapped[int | None] = mapped_column(Integer)  # 1 = first successor
    dropped_reason: Mapped[str | None] = mapped_column(String(500))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Disqualification(Base):
    """A sanction or substantiated complaint that keeps an employee out of talent pools."""

    __tablename__ = "talent_disqualifications"

    source: Mapped[str] = mapped_column(String(16), primary_key=True)  # SANCTION / COMPLAINT
    ref: Mapped[str] = mapped_column(String(64), primary_key=True)  # sanction id, tracking no.
    nip: Mapped[str] = mapped_column(String(18), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    on: Mapped[date] = mapped_column(Date)


class DevelopmentPlan(Base):
    """An individual development plan (IDP) of a pool member or a low-box employee for a year."""

    __tablename__ = "development_plans"
    __table_args__ = (UniqueConstraint("nip", "year", name="uq_development_plans_nip_year"),)

    plan_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), index=True)
    year: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))  # pool member, or box 1-3
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DevelopmentAction(Base):
    """One action of an IDP; a COURSE action closes when the employee passes that course."""

    __tablename__ = "development_actions"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('COURSE', 'COACHING_MENTORING', 'ROTATION', 'ASSIGNMENT')", name="kind"
        ),
        CheckConstraint("status IN ('OPEN', 'DONE')", name="status"),
    )

    action_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    plan_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("development_plans.plan_id"), index=True
    )
    nip: Mapped[str] = mapped_column(String(18), index=True)  # found by a completion
    kind: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(300))
    course_id: Mapped[str | None] = mapped_column(String(32))
    jp: Mapped[float] = mapped_column(Float)  # the course's JP (0 for other actions)
    target_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8))
    closed_by: Mapped[str | None] = mapped_column(String(32))  # the enrolment, or the admin
    closed_on: Mapped[date | None] = mapped_column(Date)
