"""Tables of the training service."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.db import NAMING_CONVENTION, UtcDateTime
from chassis.inbox import inbox_table
from chassis.jobs import jobs_table
from chassis.outbox import Outbox, outbox_table
from chassis.projection import RosterColumns
from contracts import validate_event


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


outbox = Outbox(outbox_table(Base.metadata), source="training", validate=validate_event)
inbox = inbox_table(Base.metadata)
jobs = jobs_table(Base.metadata)


class Employee(RosterColumns, Base):
    """Projection of the roster: whose JP are counted where, and who still owes Latsar.

    The name goes on enrolment lists and certificates, JP compliance is counted per unit, and
    competency standards go by position.
    """

    status: Mapped[str] = mapped_column(String(8))  # a CPNS owes Latsar
    # Who sees an employee's talent box: admins and the supervision chain above them.
    supervisor_nip: Mapped[str | None] = mapped_column(String(18), index=True)
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
    status: Mapped[str] = mapped_column(String(16))  # OPEN, PLANNED (enrolled), DONE
    closed_by: Mapped[str | None] = mapped_column(String(32))  # the completion that covered it
    identified_at: Mapped[datetime] = mapped_column(UtcDateTime())


# -- catalogue, partners, enrolment, the JP ledger and plans (issue 10) ---------------------


class Provider(Base):
    """Who delivers training: BPSDM/LAN, a university, an NGO, a professional body."""

    __tablename__ = "providers"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('BPSDM', 'LAN', 'UNIVERSITY', 'NGO', 'PROFESSIONAL_BODY', 'OTHER')",
            name="kind",
        ),
    )

    provider_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Partnership(Base):
    """An MoU with a provider: valid dates, free seats per year and/or a discount."""

    __tablename__ = "partnerships"
    __table_args__ = (
        CheckConstraint("valid_until >= valid_from", name="dates"),
        CheckConstraint("free_seats_per_year >= 0", name="free_seats"),
        CheckConstraint("discount_percent >= 0 AND discount_percent <= 100", name="discount"),
    )

    partnership_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.provider_id"), index=True)
    mou_number: Mapped[str] = mapped_column(String(100))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    free_seats_per_year: Mapped[int] = mapped_column(Integer)
    discount_percent: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PartnershipCourse(Base):
    """A course an MoU covers (its free seats and discount apply to its sessions)."""

    __tablename__ = "partnership_courses"

    partnership_id: Mapped[str] = mapped_column(
        ForeignKey("partnerships.partnership_id"), primary_key=True
    )
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.course_id"), primary_key=True)


class Course(Base):
    """A course of the catalogue: the competency it develops, its mode, JP and cost."""

    __tablename__ = "courses"
    __table_args__ = (
        CheckConstraint(
            "competency_type IN ('TEKNIS', 'MANAJERIAL', 'SOSIAL_KULTURAL')",
            name="competency_type",
        ),
        CheckConstraint(
            "mode IN ('CLASSICAL', 'E_LEARNING', 'BLENDED', 'COACHING_MENTORING', 'ON_THE_JOB')",
            name="mode",
        ),
        CheckConstraint("jp > 0", name="jp"),
        CheckConstraint("cost_per_participant >= 0", name="cost"),
        Index("ix_courses_competency", "competency"),  # the courses that cover a need
    )

    course_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    competency_type: Mapped[str] = mapped_column(String(16))
    competency: Mapped[str] = mapped_column(String(200))  # the name needs use
    mode: Mapped[str] = mapped_column(String(24))
    jp: Mapped[float] = mapped_column(Float)
    cost_per_participant: Mapped[int] = mapped_column(BigInteger)  # rupiah
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.provider_id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CourseSession(Base):
    """A class of a course: dates, place or link, capacity and price per participant."""

    __tablename__ = "sessions"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates"),
        CheckConstraint("capacity > 0", name="capacity"),
        CheckConstraint("price >= 0", name="price"),
    )

    session_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.course_id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(200))
    link: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int] = mapped_column(Integer)
    price: Mapped[int] = mapped_column(BigInteger)  # rupiah per participant, before any MoU
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Enrolment(Base):
    """An employee in a session: requested, enrolled, waitlisted, cancelled, completed..."""

    __tablename__ = "enrolments"
    __table_args__ = (
        CheckConstraint(
            "status IN ('REQUESTED', 'ENROLLED', 'WAITLISTED', 'CANCELLED', 'REJECTED', "
            "'COMPLETED', 'FAILED')",
            name="status",
        ),
        CheckConstraint("origin IN ('NOMINATED', 'REQUESTED', 'PLAN')", name="origin"),
        CheckConstraint("cost >= 0", name="cost"),
        Index("ix_enrolments_session_status", "session_id", "status"),
        Index("ix_enrolments_nip_status", "nip", "status"),
    )

    enrolment_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.session_id"))
    nip: Mapped[str] = mapped_column(String(18))
    need_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    origin: Mapped[str] = mapped_column(String(16))
    plan_id: Mapped[str | None] = mapped_column(String(32), index=True)
    # Who approves a request: the supervisor on the employee's need (training keeps no
    # reporting lines); admins approve any.
    supervisor_nip: Mapped[str | None] = mapped_column(String(18), index=True)
    cost: Mapped[int] = mapped_column(BigInteger)  # rupiah charged; 0 on a partner's free seat
    free_seat: Mapped[bool] = mapped_column(Boolean)
    attended: Mapped[bool | None] = mapped_column(Boolean)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    certificate_number: Mapped[str | None] = mapped_column(String(100))
    completed_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())  # waitlist: first come first
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    note: Mapped[str | None] = mapped_column(String(500))


class ExternalLearning(Base):
    """Learning outside the catalogue (a seminar, ASN e-learning), counted once approved."""

    __tablename__ = "external_learning"
    __table_args__ = (
        CheckConstraint("status IN ('PENDING', 'APPROVED', 'REJECTED')", name="status"),
        CheckConstraint("jp > 0", name="jp"),
        CheckConstraint(
            "competency_type IN ('TEKNIS', 'MANAJERIAL', 'SOSIAL_KULTURAL')",
            name="competency_type",
        ),
    )

    external_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), index=True)
    title: Mapped[str] = mapped_column(String(300))
    organiser: Mapped[str] = mapped_column(String(200))
    competency_type: Mapped[str] = mapped_column(String(16))
    competency: Mapped[str | None] = mapped_column(String(200))
    jp: Mapped[float] = mapped_column(Float)
    completed_on: Mapped[date] = mapped_column(Date)
    evidence: Mapped[str] = mapped_column(String(500))  # certificate number or document link
    status: Mapped[str] = mapped_column(String(16))
    submitted_by: Mapped[str] = mapped_column(String(100))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decision_note: Mapped[str | None] = mapped_column(String(500))


class JpEntry(Base):
    """One line of the JP ledger: a passed course or approved external learning."""

    __tablename__ = "jp_ledger"
    __table_args__ = (
        CheckConstraint("source IN ('COURSE', 'EXTERNAL')", name="source"),
        Index("ix_jp_ledger_year_nip", "year", "nip"),
    )

    entry_id: Mapped[str] = mapped_column(String(32), primary_key=True)  # enrolment/external id
    nip: Mapped[str] = mapped_column(String(18))
    year: Mapped[int] = mapped_column(Integer)  # the year of completed_on
    source: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    course_id: Mapped[str | None] = mapped_column(String(32))
    competency_type: Mapped[str] = mapped_column(String(16))
    competency: Mapped[str | None] = mapped_column(String(200))
    jp: Mapped[float] = mapped_column(Float)
    completed_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Plan(Base):
    """An annual plan within a budget: who attends what, solved, then adopted by an admin."""

    __tablename__ = "plans"
    __table_args__ = (
        CheckConstraint("status IN ('DRAFT', 'ADOPTED')", name="status"),
        CheckConstraint("budget >= 0", name="budget"),
    )

    plan_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    budget: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    cost: Mapped[int] = mapped_column(BigInteger)
    summary: Mapped[dict] = mapped_column(JSON)  # figures, uncovered, what +10 % would buy
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    adopted_by: Mapped[str | None] = mapped_column(String(100))
    adopted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class PlanItem(Base):
    """One choice of a plan: a need, the session that covers it, and why."""

    __tablename__ = "plan_items"

    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.plan_id"), primary_key=True)
    need_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    nip: Mapped[str] = mapped_column(String(18))
    session_id: Mapped[str | None] = mapped_column(String(32))  # None: left uncovered
    cost: Mapped[int] = mapped_column(BigInteger)
    free_seat: Mapped[bool] = mapped_column(Boolean)
    weight: Mapped[float] = mapped_column(Float)
    explanation: Mapped[str] = mapped_column(String(500))


# The career-development tables share this metadata (imported last: they need `Base`).
from services.training import models_talent  # noqa: E402, F401
