"""Tables of the yearly staff engagement survey: who answered is kept apart from the answers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime
from services.feedback.models import Base


class EngagementSurvey(Base):
    """A unit's survey of a year: a few statements answered on a 1-5 scale."""

    __tablename__ = "engagement_surveys"
    __table_args__ = (UniqueConstraint("unit", "year", name="uq_engagement_surveys_unit_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    questions: Mapped[list] = mapped_column(JSON)
    closes_on: Mapped[date] = mapped_column(Date)
    opened_by: Mapped[str] = mapped_column(String(120))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())


class EngagementRespondent(Base):
    """That an employee answered (once): no link to the answers, no time."""

    __tablename__ = "engagement_respondents"

    survey_id: Mapped[int] = mapped_column(ForeignKey("engagement_surveys.id"), primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), primary_key=True)


class EngagementAnswer(Base):
    """One anonymous set of answers (no NIP, no time; ids are not in answering order)."""

    __tablename__ = "engagement_answers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random
    survey_id: Mapped[int] = mapped_column(ForeignKey("engagement_surveys.id"), index=True)
    scores: Mapped[list] = mapped_column(JSON)
