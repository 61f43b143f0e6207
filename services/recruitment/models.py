"""Tables of the recruitment service."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.db import NAMING_CONVENTION, UtcDateTime
from chassis.inbox import inbox_table
from chassis.outbox import Outbox, outbox_table
from contracts import validate_event


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


outbox = Outbox(outbox_table(Base.metadata), source="recruitment", validate=validate_event)
inbox = inbox_table(Base.metadata)

GENDERS = ("M", "F")
STATUSES = ("CPNS", "PNS", "PPPK")


class Employee(Base):
    """The roster: every civil servant of the province, as the personnel office records them."""

    __tablename__ = "employees"
    __table_args__ = (
        CheckConstraint("gender IN ('M', 'F')", name="gender"),
        CheckConstraint("status IN ('CPNS', 'PNS', 'PPPK')", name="status"),
    )

    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    gender: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    tmt_cpns: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8))
    unit: Mapped[str] = mapped_column(String(64), index=True)
    position: Mapped[str] = mapped_column(String(200))
    # No foreign key: a bulk import may load staff before their supervisors; the roster
    # service checks that a supervisor is on the roster when one is set by hand.
    supervisor_nip: Mapped[str | None] = mapped_column(String(18), index=True)
    appointed_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
