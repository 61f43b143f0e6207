"""Tables of the recruitment service."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.db import NAMING_CONVENTION, BigId, UtcDateTime
from chassis.inbox import inbox_table
from chassis.jobs import jobs_table
from chassis.outbox import Outbox, outbox_table
from contracts import validate_event


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


outbox = Outbox(outbox_table(Base.metadata), source="recruitment", validate=validate_event)
inbox = inbox_table(Base.metadata)
jobs = jobs_table(Base.metadata)

GENDERS = ("M", "F")
STATUSES = ("CPNS", "PNS", "PPPK")
# PP 94/2021 art. 8: the three levels of disciplinary sanction.
SANCTION_LEVELS = ("RINGAN", "SEDANG", "BERAT")


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


class Sanction(Base):
    """A disciplinary sanction (hukuman disiplin, PP 94/2021), identified by its SK number."""

    __tablename__ = "sanctions"
    __table_args__ = (
        CheckConstraint("level IN ('RINGAN', 'SEDANG', 'BERAT')", name="level"),
        CheckConstraint(
            "effective_until IS NULL OR effective_until >= effective_from", name="period"
        ),
    )

    sanction_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    nip: Mapped[str] = mapped_column(ForeignKey("employees.nip"), index=True)
    level: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(200))
    decided_on: Mapped[date] = mapped_column(Date)
    effective_from: Mapped[date] = mapped_column(Date)
    effective_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class UnpaidLeave(Base):
    """A period of unpaid leave (cuti di luar tanggungan negara, CLTN); no `end_on` = running."""

    __tablename__ = "unpaid_leave"
    __table_args__ = (
        CheckConstraint("end_on IS NULL OR end_on >= start_on", name="period"),
        Index("ix_unpaid_leave_nip_start_on", "nip", "start_on", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    nip: Mapped[str] = mapped_column(ForeignKey("employees.nip"))
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


from services.recruitment import latsar as _latsar  # noqa: E402,F401
from services.recruitment.selection import models as _selection_models  # noqa: E402,F401
