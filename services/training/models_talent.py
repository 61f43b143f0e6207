"""Tables of career development: the annual predikat kept per NIP/year and assessments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime
from services.training.models import Base


class AnnualPredikat(Base):
    """A finalized annual predikat (from `appraisal.appraisal.finalized`): the performance axis."""

    __tablename__ = "annual_predikat"

    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    predikat: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(64))
    appraisal_id: Mapped[str] = mapped_column(String(64))
    finalized_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Assessment(Base):
    """An employee's newest competency-assessment result and the potential derived from it."""

    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint("potential IN ('LOW', 'MEDIUM', 'HIGH')", name="potential"),
        CheckConstraint("track_record IN ('GOOD', 'NEUTRAL', 'POOR')", name="track_record"),
    )

    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    assessed_on: Mapped[date] = mapped_column(Date)
    managerial: Mapped[float] = mapped_column(Float)  # mean level, 1-5
    socio_cultural: Mapped[float] = mapped_column(Float)  # mean level, 1-5
    job_match: Mapped[float] = mapped_column(Float)  # job-person match, percent
    education: Mapped[str] = mapped_column(String(4))
    experience_years: Mapped[int] = mapped_column(Integer)
    track_record: Mapped[str] = mapped_column(String(8))
    base_potential: Mapped[str] = mapped_column(String(8))
    potential: Mapped[str] = mapped_column(String(8))
    imported_by: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime())
