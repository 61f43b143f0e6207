"""Tables of the feedback service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.db import NAMING_CONVENTION, UtcDateTime
from chassis.inbox import inbox_table
from chassis.outbox import Outbox, outbox_table
from contracts import validate_event


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


outbox = Outbox(outbox_table(Base.metadata), source="feedback", validate=validate_event)
inbox = inbox_table(Base.metadata)


class Employee(Base):
    """Projection of the roster: enough to tell which employee a report names, and no more.

    Citizens name staff by name, unit and post; birth date, gender, status and service years
    are not needed to handle a report, so this service never holds them.
    """

    __tablename__ = "employees"

    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(64), index=True)  # the unit's officer follows up
    position: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[datetime] = mapped_column(UtcDateTime())
