"""Tables of the appraisal service."""

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


outbox = Outbox(outbox_table(Base.metadata), source="appraisal", validate=validate_event)
inbox = inbox_table(Base.metadata)


class Employee(Base):
    """Projection of the roster: who works where, and who appraises whom."""

    __tablename__ = "employees"

    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(64), index=True)
    position: Mapped[str] = mapped_column(String(200))
    supervisor_nip: Mapped[str | None] = mapped_column(String(18), index=True)
    status: Mapped[str] = mapped_column(String(8))
    tmt_cpns: Mapped[date] = mapped_column(Date)
    as_of: Mapped[datetime] = mapped_column(UtcDateTime())
