"""Tables of reports, their workflow, attachments, the calendar, IKM surveys and consultations.

A reporter's contact lives in `reporter_contacts` only (never for ANONYMOUS reports), so that
every other table can be shown to the unit or the public without leaking who wrote.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime
from services.feedback.models import Base

PUBLIC_LISTED = text("privacy = 'PUBLIC' AND merged_into_id IS NULL")


class Report(Base):
    """A citizen's report: what it is about, where it stands and its clocks."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tracking_number: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    subject: Mapped[str] = mapped_column(String(12))
    unit: Mapped[str] = mapped_column(String(64))
    service_name: Mapped[str | None] = mapped_column(String(200))
    employee_nip: Mapped[str | None] = mapped_column(String(18))
    category: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(String(200))
    incident_date: Mapped[date | None] = mapped_column(Date)
    privacy: Mapped[str] = mapped_column(String(12))
    channel: Mapped[str] = mapped_column(String(12), default="WEB")
    post_url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    handling_unit: Mapped[str | None] = mapped_column(String(64))
    stage_started_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    paused_on: Mapped[date | None] = mapped_column(Date)
    paused_days: Mapped[int] = mapped_column(Integer, default=0)
    first_response_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reopens: Mapped[int] = mapped_column(SmallInteger, default=0)
    finding: Mapped[str | None] = mapped_column(String(16))  # SUBSTANTIATED / UNSUBSTANTIATED
    severity: Mapped[str | None] = mapped_column(String(8))
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (
        UniqueConstraint("channel", "post_url", name="uq_reports_channel_post_url"),
        # The public list: newest first within a filter, over public, unmerged reports only.
        Index("ix_reports_public_id", "id", postgresql_where=PUBLIC_LISTED),
        Index("ix_reports_public_unit", "unit", "id", postgresql_where=PUBLIC_LISTED),
        Index("ix_reports_public_category", "category", "id", postgresql_where=PUBLIC_LISTED),
        Index("ix_reports_public_status", "status", "id", postgresql_where=PUBLIC_LISTED),
        Index("ix_reports_unit_category_status", "unit", "category", "status"),
        Index("ix_reports_due_on", "due_on"),
        Index("ix_reports_handling_unit", "handling_unit", "id"),
    )


class ReporterContact(Base):
    """Who wrote a PUBLIC or CONFIDENTIAL report (verifiers only); never for ANONYMOUS."""

    __tablename__ = "reporter_contacts"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    handle: Mapped[str | None] = mapped_column(String(200))  # a social-media account


class ReportStep(Base):
    """One entry of a report's history: who did what, when and why (the audit trail)."""

    __tablename__ = "report_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(120))  # a username, "citizen" or "system:*"
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=True)  # on the citizen's timeline


class Attachment(Base):
    """A photo or PDF of a report, stored outside the database under its SHA-256."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())


class NationalHoliday(Base):
    """Indonesia's national holidays as the `holidays` package gives them, kept per year so the
    web process need not load the library's lunar calendars (about 8 MB per process)."""

    __tablename__ = "national_holidays"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer, index=True)


class CalendarDay(Base):
    """An admin's change to the national calendar: cuti bersama or a removed holiday."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # HOLIDAY (cuti bersama) or WORKDAY
    note: Mapped[str] = mapped_column(String(200))
    set_by: Mapped[str] = mapped_column(String(120))


class IkmSurvey(Base):
    """An IKM survey of a unit for a period; its result once published."""

    __tablename__ = "ikm_surveys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(8))
    population: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))  # OPEN, PUBLISHED
    opened_by: Mapped[str] = mapped_column(String(120))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    result: Mapped[str | None] = mapped_column(Text)  # the published result as JSON

    __table_args__ = (UniqueConstraint("unit", "year", "period", name="uq_ikm_surveys_period"),)


class IkmCode(Base):
    """A respondent code handed out at the service counter: one answer each (hash kept)."""

    __tablename__ = "ikm_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("ikm_surveys.id"), index=True)
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class IkmResponse(Base):
    """One respondent's 9 answers (1-4) and optional demographics; no identity."""

    __tablename__ = "ikm_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("ikm_surveys.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    answers: Mapped[str] = mapped_column(String(9))  # e.g. "343334432", element order
    age_band: Mapped[str | None] = mapped_column(String(8))
    gender: Mapped[str | None] = mapped_column(String(1))
    education: Mapped[str | None] = mapped_column(String(8))
    answered_on: Mapped[date] = mapped_column(Date)


class Consultation(Base):
    """A unit's public consultation on a draft service standard or policy."""

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(200))
    draft: Mapped[str] = mapped_column(Text)
    # PUBLIC (anyone, no account) or STAFF (signed-in ASN only, their identity never kept).
    audience: Mapped[str] = mapped_column(String(8), server_default="PUBLIC")
    closes_on: Mapped[date] = mapped_column(Date)
    opened_by: Mapped[str] = mapped_column(String(120))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    summary: Mapped[str | None] = mapped_column(Text)
    summary_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Comment(Base):
    """A citizen's comment or reply in a consultation; hidden ones stay for the audit."""

    __tablename__ = "consultation_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_comments.id"))
    name: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    posted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    flags: Mapped[int] = mapped_column(Integer, default=0)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)


class Moderation(Base):
    """A moderator's decision on a comment: the audit list of what was hidden and why."""

    __tablename__ = "moderations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("consultation_comments.id"), index=True)
    action: Mapped[str] = mapped_column(String(8))  # HIDE or SHOW
    reason: Mapped[str] = mapped_column(String(500))
    by: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
