"""Tables of the awards service."""

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


outbox = Outbox(outbox_table(Base.metadata), source="awards", validate=validate_event)
inbox = inbox_table(Base.metadata)


class Employee(Base):
    """Projection of the roster: who may be nominated, and since when they have served."""

    __tablename__ = "employees"

    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))  # the public list of awardees names them
    unit: Mapped[str] = mapped_column(String(64), index=True)  # quotas and nominations by unit
    position: Mapped[str] = mapped_column(String(200))  # shown with the name on the list
    status: Mapped[str] = mapped_column(String(8))  # Satyalancana is for PNS service
    tmt_cpns: Mapped[date] = mapped_column(Date)  # Satyalancana years count from TMT CPNS
    as_of: Mapped[datetime] = mapped_column(UtcDateTime())
