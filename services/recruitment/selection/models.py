"""Tables of the CPNS selection; they join the recruitment service's metadata (one database)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import BigId, UtcDateTime
from services.recruitment.models import Base

# The naming convention (chassis.db.NAMING_CONVENTION) comes with Base's metadata.

CATEGORIES = ("GENERAL", "CUM_LAUDE", "DIASPORA", "DISABILITY")
VERIFICATIONS = ("PENDING", "MS", "TMS")
APPEAL_STATUSES = ("FILED", "ACCEPTED", "REJECTED")
OUTCOMES = (
    "SELECTED",
    "OPTIMISED",
    "NOT_SELECTED",
    "NOT_SHORTLISTED",
    "FAILED_GRADE",
    "TMS",
    "NO_SCORE",
    "WITHDRAWN",
)


class PassingGrade(Base):
    """Minimum SKD scores per selection year and category; a null bound is not applied."""

    __tablename__ = "passing_grades"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    twk_min: Mapped[int | None] = mapped_column(Integer)
    tiu_min: Mapped[int | None] = mapped_column(Integer)
    tkp_min: Mapped[int | None] = mapped_column(Integer)
    total_min: Mapped[int | None] = mapped_column(Integer)


class Formation(Base):
    """A post to fill: position in a unit, the qualification required, a quota and a category."""

    __tablename__ = "formations"
    __table_args__ = (
        CheckConstraint("quota > 0", name="quota"),
        Index("ix_formations_year_position_education", "year", "position", "education"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    position: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(64))
    education: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(16))
    quota: Mapped[int] = mapped_column(Integer)
    announced_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    announced_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Application(Base):
    """One applicant for one formation; the NIK is private (never serialised, logged, published)."""

    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("year", "nik", name="uq_applications_year_nik"),
        CheckConstraint("gender IN ('M', 'F')", name="gender"),
        CheckConstraint("verification IN ('PENDING', 'MS', 'TMS')", name="verification"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    formation_id: Mapped[int] = mapped_column(BigId, ForeignKey("formations.id"), index=True)
    registration_number: Mapped[str] = mapped_column(String(32), unique=True)
    nik: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date] = mapped_column(Date)
    gender: Mapped[str] = mapped_column(String(1))
    education: Mapped[str] = mapped_column(String(200))
    gpa: Mapped[Decimal] = mapped_column(Numeric(3, 2))
    # sha256 hex of a random, high-entropy secret: a slow KDF buys nothing for a random secret
    # and would not keep up with a national registration.
    appeal_secret_hash: Mapped[str] = mapped_column(String(128))
    verification: Mapped[str] = mapped_column(
        String(8), default="PENDING", server_default=text("'PENDING'")
    )
    verification_reason: Mapped[str | None] = mapped_column(String(500))
    twk: Mapped[int | None] = mapped_column(Integer)
    tiu: Mapped[int | None] = mapped_column(Integer)
    tkp: Mapped[int | None] = mapped_column(Integer)
    skb: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SelectionResult(Base):
    """The outcome of the last ranking run for an application (written only by ranking.py)."""

    __tablename__ = "selection_results"

    application_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("applications.id"), primary_key=True
    )
    formation_id: Mapped[int] = mapped_column(BigId, index=True)
    skd_total: Mapped[int] = mapped_column(Integer)
    passed_grade: Mapped[bool] = mapped_column(Boolean)
    shortlisted: Mapped[bool] = mapped_column(Boolean)
    final_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))
    rank: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))
    optimised_into: Mapped[int | None] = mapped_column(BigId)
    ranked_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Appeal(Base):
    """A sanggah: once per applicant, filed within 3 days of the announcement."""

    __tablename__ = "appeals"
    __table_args__ = (
        CheckConstraint("status IN ('FILED', 'ACCEPTED', 'REJECTED')", name="status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id"), unique=True)
    filed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    grounds: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(16))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decision: Mapped[str | None] = mapped_column(String(2000))


class AuditEntry(Base):
    """Who changed what, when, from what to what and why (never a NIK in the values)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity_entity_id", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class Appointment(Base):
    """A selected applicant appointed CPNS; the employee itself is on the roster."""

    __tablename__ = "appointments"

    application_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("applications.id"), primary_key=True
    )
    nip: Mapped[str] = mapped_column(String(18), unique=True)
    formation_id: Mapped[int] = mapped_column(BigId)
    appointed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    appointed_by: Mapped[str] = mapped_column(String(64))


# The Core tables, under the short names the set-based engines (ranking.py, optimisation.py)
# write their SQL with.
A = Application.__table__
F = Formation.__table__
G = PassingGrade.__table__
P = Appointment.__table__
R = SelectionResult.__table__
# The applicant's facts the ranking's ties break on, in the order both engines select them.
TIE_FACTS = (A.c.twk, A.c.tiu, A.c.tkp, A.c.gpa, A.c.birth_date, A.c.registration_number)
