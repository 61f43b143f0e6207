"""Tables of programmes, nominations, committee scores, grants and the facts they need."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime
from services.awards.models import Base

# -- Sofifi Berprestasi programmes ----------------------------------------------------------


class Programme(Base):
    """One year's Sofifi Berprestasi: budget, timeline and the committee's quorum."""

    __tablename__ = "programmes"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)  # SB-<year>
    year: Mapped[int] = mapped_column(Integer, unique=True)  # the performance year
    title: Mapped[str] = mapped_column(String(200))
    total_budget: Mapped[int] = mapped_column(BigInteger)  # rupiah, all categories together
    min_scorers: Mapped[int] = mapped_column(Integer)  # score sheets a nomination needs to rank
    nominations_open: Mapped[date] = mapped_column(Date)
    nominations_close: Mapped[date] = mapped_column(Date)
    scoring_open: Mapped[date] = mapped_column(Date)
    scoring_close: Mapped[date] = mapped_column(Date)
    decision_on: Mapped[date] = mapped_column(Date)
    announcement_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Category(Base):
    """A category of a programme, with its quota and incentive per awardee."""

    __tablename__ = "award_categories"

    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    quota: Mapped[int] = mapped_column(Integer)
    incentive_amount: Mapped[int] = mapped_column(BigInteger)
    self_nomination: Mapped[bool] = mapped_column(Boolean)
    position: Mapped[int] = mapped_column(Integer)  # the order the admin defined


class Criterion(Base):
    """A published criterion and its weight (weights of a programme add up to 100)."""

    __tablename__ = "award_criteria"

    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(1000))
    weight: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)


class Nomination(Base):
    """A nominee in a category, with who nominated them, the statement and evidence."""

    __tablename__ = "nominations"
    __table_args__ = (UniqueConstraint("programme_id", "nip"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    nip: Mapped[str] = mapped_column(String(18))
    # Kept as nominated: the list shows the unit and position the award was earned in.
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(64))
    position: Mapped[str] = mapped_column(String(200))
    nominated_by: Mapped[str] = mapped_column(String(64))  # the gateway username
    nominator_nip: Mapped[str | None] = mapped_column(String(18))
    self_nominated: Mapped[bool] = mapped_column(Boolean)
    statement: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Recusal(Base):
    """A committee member who may not score a nomination, and why."""

    __tablename__ = "recusals"

    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), primary_key=True)
    member: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ScoreSheet(Base):
    """One committee member's scores of one nomination, per criterion (final once submitted)."""

    __tablename__ = "score_sheets"

    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), primary_key=True)
    member: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_nip: Mapped[str | None] = mapped_column(String(18))
    scores: Mapped[dict[str, float]] = mapped_column(JSON)
    total: Mapped[float] = mapped_column(Float)  # weighted by the programme's criteria
    note: Mapped[str | None] = mapped_column(String(1000))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Decision(Base):
    """The one decision of a programme, with the ranking and scores it was made on."""

    __tablename__ = "award_decisions"

    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), primary_key=True)
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_by: Mapped[str] = mapped_column(String(64))
    total_amount: Mapped[int] = mapped_column(BigInteger)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class Grant(Base):
    """An award granted (Sofifi Berprestasi or a Satyalancana class), and its withdrawal."""

    __tablename__ = "grants"

    grant_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    programme: Mapped[str] = mapped_column(String(32))
    programme_id: Mapped[str | None] = mapped_column(String(16), index=True)
    year: Mapped[int] = mapped_column(Integer)
    nip: Mapped[str] = mapped_column(String(18), index=True)
    category: Mapped[str | None] = mapped_column(String(32))
    award_class: Mapped[str | None] = mapped_column(String(3))  # Satyalancana X / XX / XXX
    nomination_id: Mapped[int | None] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)
    aggregate: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(64))
    position: Mapped[str] = mapped_column(String(200))
    granted_on: Mapped[date] = mapped_column(Date)
    revoked_on: Mapped[date | None] = mapped_column(Date)
    revocation_reason: Mapped[str | None] = mapped_column(String(32))


# -- facts received -------------------------------------------------------------------------


class Commendation(Base):
    """A citizen's commendation of an employee (feedback): evidence for a nomination."""

    __tablename__ = "commendations"

    tracking_number: Mapped[str] = mapped_column(String(32), primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), index=True)
    unit: Mapped[str] = mapped_column(String(64))
    recorded_on: Mapped[date] = mapped_column(Date)
    as_of: Mapped[datetime] = mapped_column(UtcDateTime())


class StaffRecord(Base):
    """What awards needs of the roster beyond the shared projection: the supervisor (who may
    nominate, who must recuse) and the periods of unpaid leave (Satyalancana continuity)."""

    __tablename__ = "staff_records"

    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    supervisor_nip: Mapped[str | None] = mapped_column(String(18), index=True)
    # [[start, end or null]]; SQL NULL (not JSON null) when none, so that an index-free filter
    # finds the few with leave.
    unpaid_leave: Mapped[list[list[str | None]] | None] = mapped_column(JSON(none_as_null=True))
    as_of: Mapped[datetime] = mapped_column(UtcDateTime())
