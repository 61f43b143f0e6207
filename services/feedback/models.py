"""Tables of the feedback service."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from chassis.db import NAMING_CONVENTION
from chassis.inbox import inbox_table
from chassis.outbox import Outbox, outbox_table
from chassis.projection import RosterColumns
from contracts import validate_event


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


outbox = Outbox(outbox_table(Base.metadata), source="feedback", validate=validate_event)
inbox = inbox_table(Base.metadata)


class Employee(RosterColumns, Base):
    """Projection of the roster: enough to tell which employee a report names, and no more.

    Citizens name staff by name, unit and post; birth date, gender, status and service years
    are not needed to handle a report, so this service never holds them. The unit's officer
    follows a report up.
    """
