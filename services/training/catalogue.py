"""Providers, partnerships (MoU), courses and sessions: what may be planned and booked."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chassis.domain import ConflictError, Invalid, NotFoundError
from chassis.uow import UnitOfWork
from services.training import rules
from services.training.models import (
    Course,
    CourseSession,
    Enrolment,
    Partnership,
    PartnershipCourse,
    Provider,
)


def new_id(prefix: str) -> str:
    """A fresh id such as `CRS-3F9A0C21B7`: random, so no counter is contended."""
    return f"{prefix}-{uuid.uuid4().hex[:10].upper()}"


def _now() -> datetime:
    return datetime.now(UTC)


# -- providers and partnerships -------------------------------------------------------------


def create_provider(uow: UnitOfWork, data: Mapping[str, Any]) -> Provider:
    """A provider; its name is unique (409 when taken)."""
    session = uow.session
    if session.scalar(select(Provider).where(Provider.name == data["name"])) is not None:
        raise ConflictError(f"A provider named {data['name']!r} already exists.")
    provider = Provider(provider_id=new_id("PRV"), created_at=_now(), **data)
    session.add(provider)
    uow.flush()
    return provider


def list_providers(session: Session) -> list[Provider]:
    """Every provider, by name."""
    return list(session.scalars(select(Provider).order_by(Provider.name)))


def get_provider(session: Session, provider_id: str, *, field: str | None = None) -> Provider:
    """A provider; 404, or 422 naming `field` when it came in a body."""
    provider = session.get(Provider, provider_id)
    if provider is None:
        if field:
            raise Invalid.field(field, f"No provider {provider_id}.")
        raise NotFoundError(f"No provider {provider_id}.")
    return provider


def create_partnership(uow: UnitOfWork, data: Mapping[str, Any]) -> dict[str, Any]:
    """An MoU with a provider, its validity, free seats per year, discount and courses."""
    session = uow.session
    get_provider(session, data["provider_id"], field="provider_id")
    if data["valid_until"] < data["valid_from"]:
        raise Invalid.field("valid_until", "The MoU cannot end before it starts.")
    if data["free_seats_per_year"] == 0 and data["discount_percent"] == 0:
        raise Invalid.field(
            "free_seats_per_year", "An MoU gives free seats per year, a discount, or both."
        )
    course_ids = list(dict.fromkeys(data["course_ids"]))
    known = set(session.scalars(select(Course.course_id).where(Course.course_id.in_(course_ids))))
    missing = [c for c in course_ids if c not in known]
    if missing:
        raise Invalid.field("course_ids", f"Unknown course(s): {', '.join(missing)}.")
    values = {k: v for k, v in data.items() if k != "course_ids"}
    partnership = Partnership(partnership_id=new_id("MOU"), created_at=_now(), **values)
    session.add(partnership)
    uow.flush()
    session.add_all(
        PartnershipCourse(partnership_id=partnership.partnership_id, course_id=c)
        for c in course_ids
    )
    uow.flush()
    return partnership_view(partnership, course_ids)


def partnership_view(partnership: Partnership, course_ids: list[str]) -> dict[str, Any]:
    """An MoU as the API shows it."""
    columns = Partnership.__table__.columns
    return {**{c.name: getattr(partnership, c.name) for c in columns}, "course_ids": course_ids}


def list_partnerships(session: Session, provider_id: str | None) -> list[dict[str, Any]]:
    """Every MoU (of one provider), newest validity first, with the courses it covers."""
    query = select(Partnership).order_by(Partnership.valid_from.desc(), Partnership.partnership_id)
    if provider_id:
        query = query.where(Partnership.provider_id == provider_id)
    partnerships = session.scalars(query).all()
    covered: dict[str, list[str]] = {}
    for row in session.execute(select(PartnershipCourse).order_by(PartnershipCourse.course_id)):
        covered.setdefault(row[0].partnership_id, []).append(row[0].course_id)
    return [partnership_view(p, covered.get(p.partnership_id, [])) for p in partnerships]


def partnership_for(session: Session, course_id: str, on: date) -> Partnership | None:
    """The MoU valid on `on` that covers the course; the largest discount first if several."""
    return session.scalar(
        select(Partnership)
        .join(PartnershipCourse, PartnershipCourse.partnership_id == Partnership.partnership_id)
        .where(
            PartnershipCourse.course_id == course_id,
            Partnership.valid_from <= on,
            Partnership.valid_until >= on,
        )
        .order_by(
            Partnership.free_seats_per_year.desc(),
            Partnership.discount_percent.desc(),
            Partnership.partnership_id,
        )
        .limit(1)
    )


def free_seats_used(session: Session, partnership: Partnership, year: int) -> int:
    """Free seats of an MoU already given in `year` (active or completed enrolments)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Enrolment)
            .join(CourseSession, CourseSession.session_id == Enrolment.session_id)
            .join(PartnershipCourse, PartnershipCourse.course_id == CourseSession.course_id)
            .where(
                PartnershipCourse.partnership_id == partnership.partnership_id,
                Enrolment.free_seat.is_(True),
                Enrolment.status.in_(("ENROLLED", "COMPLETED", "FAILED")),
                CourseSession.starts_on.between(date(year, 1, 1), date(year, 12, 31)),
            )
        )
        or 0
    )


# -- courses and sessions -------------------------------------------------------------------


def create_course(uow: UnitOfWork, data: Mapping[str, Any]) -> Course:
    """A course of the catalogue from a known provider."""
    get_provider(uow.session, data["provider_id"], field="provider_id")
    course = Course(course_id=new_id("CRS"), created_at=_now(), **data)
    uow.session.add(course)
    uow.flush()
    return course


def get_course(session: Session, course_id: str, *, field: str | None = None) -> Course:
    """A course; 404, or 422 naming `field` when the id came in a body."""
    course = session.get(Course, course_id)
    if course is None:
        if field:
            raise Invalid.field(field, f"No course {course_id} in the catalogue.")
        raise NotFoundError(f"No course {course_id} in the catalogue.")
    return course


def list_courses(session: Session, filters: Mapping[str, Any]) -> list[Course]:
    """The catalogue, by title, filtered by competency type, competency, mode or provider."""
    query = select(Course).order_by(Course.title, Course.course_id)
    for name in ("competency_type", "competency", "mode", "provider_id"):
        if filters.get(name):
            query = query.where(getattr(Course, name) == filters[name])
    return list(session.scalars(query))


def create_session(uow: UnitOfWork, data: Mapping[str, Any]) -> dict[str, Any]:
    """A class of a course; its price defaults to the course's cost per participant."""
    course = get_course(uow.session, data["course_id"], field="course_id")
    if data["ends_on"] < data["starts_on"]:
        raise Invalid.field("ends_on", "A session cannot end before it starts.")
    if course.mode in ("CLASSICAL", "BLENDED") and not data.get("place"):
        raise Invalid.field("place", f"A {course.mode} session needs a place.")
    if course.mode == "E_LEARNING" and not data.get("link"):
        raise Invalid.field("link", "An e-learning session needs a link.")
    values = {**data}
    if values.get("price") is None:
        values["price"] = course.cost_per_participant
    row = CourseSession(session_id=new_id("SES"), created_at=_now(), **values)
    uow.session.add(row)
    uow.flush()
    return session_view(uow.session, row)


def get_session(session: Session, session_id: str, *, lock: bool = False) -> CourseSession:
    """A session (locked on PostgreSQL when seats are about to change); 404 when unknown."""
    query = select(CourseSession).where(CourseSession.session_id == session_id)
    if lock:
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise NotFoundError(f"No session {session_id}.")
    return row


def seats_taken(session: Session, session_id: str) -> int:
    """Seats held in a session (ENROLLED; a completed or failed participant held one too)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Enrolment)
            .where(
                Enrolment.session_id == session_id,
                Enrolment.status.in_(("ENROLLED", "COMPLETED", "FAILED")),
            )
        )
        or 0
    )


def session_view(session: Session, row: CourseSession) -> dict[str, Any]:
    """A session with its course, seats taken and waitlist length, and the MoU price."""
    course = session.get(Course, row.course_id)
    waiting = session.scalar(
        select(func.count())
        .select_from(Enrolment)
        .where(Enrolment.session_id == row.session_id, Enrolment.status == "WAITLISTED")
    )
    partnership = partnership_for(session, row.course_id, row.starts_on)
    discount = partnership.discount_percent if partnership else 0
    columns = CourseSession.__table__.columns
    return {
        **{c.name: getattr(row, c.name) for c in columns},
        "course_title": course.title,
        "competency": course.competency,
        "competency_type": course.competency_type,
        "jp": course.jp,
        "enrolled": seats_taken(session, row.session_id),
        "waitlisted": waiting or 0,
        "partner_price": rules.partner_price(row.price, discount),
        "partnership_id": partnership.partnership_id if partnership else None,
    }


def list_sessions(session: Session, filters: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Sessions by start date, filtered by course, competency or year."""
    query = select(CourseSession).order_by(CourseSession.starts_on, CourseSession.session_id)
    if filters.get("course_id"):
        query = query.where(CourseSession.course_id == filters["course_id"])
    if filters.get("year"):
        year = filters["year"]
        query = query.where(
            CourseSession.starts_on >= date(year, 1, 1),
            CourseSession.starts_on <= date(year, 12, 31),
        )
    if filters.get("competency"):
        query = query.join(Course).where(Course.competency == filters["competency"])
    return [session_view(session, row) for row in session.scalars(query)]
