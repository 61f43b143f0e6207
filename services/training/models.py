"""Tables of the training service."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.db import NAMING_CONVENTION, UtcDateTime
from chassis.inbox import inbox_table
from chassis.outbox import Outbox, outbox_table
from contracts import validate_event


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


outbox = Outbox(outbox_table(Base.metadata), source="training", validate=validate_event)
inbox = inbox_table(Base.metadata)


class Employee(Base):
    """Projection of the roster: whose JP are counted where, and who still owes Latsar."""

    __tablename__ = "employees"

    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))  # on enrolment lists and certificates
    unit: Mapped[str] = mapped_column(String(64), index=True)  # JP compliance per unit
    position: Mapped[str] = mapped_column(String(200))  # competency standards go by position
    status: Mapped[str] = mapped_column(String(8))  # a CPNS owes Latsar
    tmt_cpns: Mapped[date] = mapped_column(Date)  # Latsar falls within the probation year
    as_of: Mapped[datetime] = mapped_column(UtcDateTime())
