"""Tables of the awards service."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, Index, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.db import NAMING_CONVENTION, UtcDateTime
from chassis.inbox import inbox_table
from chassis.outbox import Outbox, outbox_table
from chassis.projection import RosterColumns
from contracts import validate_event


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


outbox = Outbox(outbox_table(Base.metadata), source="awards", validate=validate_event)
inbox = inbox_table(Base.metadata)


class Employee(RosterColumns, Base):
    """Projection of the roster: who may be nominated, and since when they have served.

    The public list of awardees names them with their post; quotas and nominations go by unit.
    """

    status: Mapped[str] = mapped_column(String(8))  # Satyalancana is for PNS service
    tmt_cpns: Mapped[date] = mapped_column(Date)  # Satyalancana years count from TMT CPNS


# -- facts received (for eligibility) --------------------------------------------------------


class AnnualAppraisal(Base):
    """The newest annual appraisal per employee and year (quarterly reviews are not kept)."""

    __tablename__ = "annual_appraisals"

    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    appraisal_id: Mapped[str] = mapped_column(String(64))  # the basis of the decision
    unit: Mapped[str] = mapped_column(String(64))  # the unit of the appraised year
    predikat: Mapped[str] = mapped_column(String(16))
    finalized_at: Mapped[datetime] = mapped_column(UtcDateTime())
    as_of: Mapped[datetime] = mapped_column(UtcDateTime())  # occurred_at of the event kept


class SubstantiatedComplaint(Base):
    """A substantiated public complaint, one per tracking number (no reporter, no text)."""

    __tablename__ = "substantiated_complaints"

    tracking_number: Mapped[str] = mapped_column(String(32), primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), index=True)
    substantiated_on: Mapped[date] = mapped_column(Date)
    incident_date: Mapped[date | None] = mapped_column(Date)
    as_of: Mapped[datetime] = mapped_column(UtcDateTime())


class DisciplinarySanction(Base):
    """A disciplinary sanction under PP 94/2021, one per sanction id."""

    __tablename__ = "disciplinary_sanctions"

    sanction_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), index=True)
    level: Mapped[str] = mapped_column(String(8))
    decided_on: Mapped[date] = mapped_column(Date)  # Satyalancana will need it too
    effective_from: Mapped[date] = mapped_column(Date)
    effective_until: Mapped[date | None] = mapped_column(Date)
    as_of: Mapped[datetime] = mapped_column(UtcDateTime())


class JpTotal(Base):
    """An employee's JP for a year, as the newest `training.course.completed` said."""

    __tablename__ = "jp_totals"

    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    # Indexed: "has any JP for this year arrived" opens the year's ledger (see rules.JpRecord).
    year: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    jp_year_total: Mapped[float] = mapped_column(Float)
    as_of: Mapped[datetime] = mapped_column(UtcDateTime())


# -- decisions ------------------------------------------------------------------------------


class Eligibility(Base):
    """An employee's eligibility for a programme in a year, with the reasons behind it."""

    __tablename__ = "eligibility"
    __table_args__ = (Index("ix_eligibility_year_unit", "year", "unit"),)

    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme: Mapped[str] = mapped_column(String(32), primary_key=True)
    unit: Mapped[str] = mapped_column(String(64))  # from the appraisal: the list filters by it
    eligible: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    determined_at: Mapped[datetime] = mapped_column(UtcDateTime())  # when the outcome last changed
    basis: Mapped[str] = mapped_column(String(64))  # appraisal_id of the annual appraisal used
