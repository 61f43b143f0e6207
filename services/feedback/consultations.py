"""Public consultations (Decidim's model): a unit opens a draft standard or policy with a closing
date, citizens comment and reply without an account, staff moderate (hide with a reason, kept in
an audit list), citizens flag, and the unit publishes a response summary when it has closed.

A STAFF consultation (issue 16: staff heard on new personnel policies) is for signed-in ASN only
(a token with a NIP and the employee role), besides the admins and officers who moderate it; a
staff comment keeps no name and no NIP, so neither the unit nor a supervisor can tell who wrote
it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from chassis.domain import ConflictError, Invalid, NotAllowed, NotFoundError
from chassis.uow import UnitOfWork
from services.feedback import rules
from services.feedback.tables import Comment, Consultation, Moderation

HIDDEN_TEXT = "[disembunyikan oleh moderator]"
MAX_DEPTH_REPLY = 1  # a reply answers a comment, not another reply: threads stay readable


def _consultation(uow: UnitOfWork, consultation_id: int) -> Consultation:
    found = uow.session.get(Consultation, consultation_id)
    if found is None:
        raise NotFoundError(f"No consultation {consultation_id}.")
    return found


def _check_unit(uow: UnitOfWork, unit: str) -> None:
    actor = uow.require_actor()
    if "admin" not in actor.roles and actor.unit != unit:
        raise NotAllowed("An officer acts for their own unit only.")


AUDIENCES = ("PUBLIC", "STAFF")


def _is_asn(uow: UnitOfWork) -> bool:
    actor = uow.actor
    return actor is not None and bool(actor.nip) and "employee" in actor.roles


def _is_moderator(uow: UnitOfWork) -> bool:
    return uow.actor is not None and uow.actor.has_any(("admin", "officer"))


def _check_audience(uow: UnitOfWork, consultation: Consultation) -> None:
    if consultation.audience == "STAFF" and not (_is_asn(uow) or _is_moderator(uow)):
        raise NotAllowed("This consultation is for signed-in civil servants (ASN) only.")


def is_open(consultation: Consultation, now: datetime) -> bool:
    """Open for comments through its closing day (WIT)."""
    return rules.wit_date(now) <= consultation.closes_on


def open_consultation(uow: UnitOfWork, data: Mapping[str, Any], now: datetime) -> dict:
    """A unit opens a consultation on a draft."""
    _check_unit(uow, data["unit"])
    if data["closes_on"] <= rules.wit_date(now):
        raise Invalid.field("closes_on", "The closing date must be after today.")
    consultation = Consultation(
        unit=data["unit"],
        title=data["title"],
        draft=data["draft"],
        audience=data.get("audience", "PUBLIC"),
        closes_on=data["closes_on"],
        opened_by=uow.actor_name,
        opened_at=now,
    )
    uow.session.add(consultation)
    uow.flush()
    return view(uow, consultation.id, now)


def listing(uow: UnitOfWork, unit: str | None, now: datetime) -> list[dict[str, Any]]:
    """Consultations, newest first, with whether they are open."""
    query = select(Consultation).order_by(Consultation.id.desc()).limit(100)
    if unit:
        query = query.where(Consultation.unit == unit)
    if not (_is_asn(uow) or _is_moderator(uow)):
        query = query.where(Consultation.audience == "PUBLIC")
    return [_head(c, now) for c in uow.session.scalars(query)]


def _head(c: Consultation, now: datetime) -> dict[str, Any]:
    return {
        "id": c.id,
        "unit": c.unit,
        "title": c.title,
        "draft": c.draft,
        "audience": c.audience,
        "closes_on": c.closes_on,
        "open": is_open(c, now),
        "summary": c.summary,
        "summary_at": c.summary_at,
    }


def view(uow: UnitOfWork, consultation_id: int, now: datetime) -> dict[str, Any]:
    """A consultation with its comments as threads; hidden ones show only that they were."""
    consultation = _consultation(uow, consultation_id)
    _check_audience(uow, consultation)
    comments = uow.session.scalars(
        select(Comment).where(Comment.consultation_id == consultation.id).order_by(Comment.id)
    ).all()
    shaped = {
        c.id: {
            "id": c.id,
            "name": None if c.hidden else c.name,
            "body": HIDDEN_TEXT if c.hidden else c.body,
            "posted_at": c.posted_at,
            "hidden": c.hidden,
            "replies": [],
        }
        for c in comments
    }
    threads = []
    for c in comments:
        if c.parent_id is None:
            threads.append(shaped[c.id])
        else:
            shaped[c.parent_id]["replies"].append(shaped[c.id])
    return {**_head(consultation, now), "comments": threads}


def comment(uow: UnitOfWork, consultation_id: int, data: Mapping[str, Any], now: datetime):
    """A citizen's comment or reply (name optional, no account)."""
    if data.get("website"):
        raise Invalid.field("website", "Leave this field empty.")
    consultation = _consultation(uow, consultation_id)
    _check_audience(uow, consultation)
    if not is_open(consultation, now):
        raise ConflictError("The consultation has closed.")
    staff = consultation.audience == "STAFF"
    parent_id = data.get("reply_to")
    if parent_id is not None:
        parent = uow.session.get(Comment, parent_id)
        if parent is None or parent.consultation_id != consultation.id:
            raise Invalid.field("reply_to", "No such comment in this consultation.")
        if parent.parent_id is not None:
            parent_id = parent.parent_id  # a reply to a reply joins the same thread
    posted = Comment(
        consultation_id=consultation.id,
        parent_id=parent_id,
        name=None if staff else data.get("name"),  # a civil servant is never named
        body=data["body"],
        posted_at=now,
        flags=0,
        hidden=False,
    )
    uow.session.add(posted)
    uow.flush()
    return {"id": posted.id, "reply_to": parent_id, "posted_at": now}


def flag(uow: UnitOfWork, consultation_id: int, comment_id: int) -> dict[str, Any]:
    """A citizen flags a comment for the moderators."""
    found = _comment(uow, consultation_id, comment_id)
    _check_audience(uow, _consultation(uow, consultation_id))
    uow.session.execute(
        update(Comment).where(Comment.id == found.id).values(flags=Comment.flags + 1)
    )
    return {"id": found.id, "flagged": True}


def _comment(uow: UnitOfWork, consultation_id: int, comment_id: int) -> Comment:
    found = uow.session.get(Comment, comment_id)
    if found is None or found.consultation_id != consultation_id:
        raise NotFoundError("No such comment in this consultation.")
    return found


def moderate(
    uow: UnitOfWork, consultation_id: int, comment_id: int, hide: bool, reason: str, now
) -> dict[str, Any]:
    """Hide (or show again) a comment, with the reason in the audit list."""
    consultation = _consultation(uow, consultation_id)
    _check_unit(uow, consultation.unit)
    found = _comment(uow, consultation_id, comment_id)
    if found.hidden == hide:
        raise ConflictError("The comment is already " + ("hidden." if hide else "shown."))
    found.hidden = hide
    uow.session.add(
        Moderation(
            comment_id=found.id,
            action="HIDE" if hide else "SHOW",
            reason=reason,
            by=uow.actor_name,
            at=now,
        )
    )
    return {"id": found.id, "hidden": hide}


def moderation_log(uow: UnitOfWork, consultation_id: int) -> dict[str, Any]:
    """The audit list: every moderation, and the flagged comments waiting for a look."""
    consultation = _consultation(uow, consultation_id)
    _check_unit(uow, consultation.unit)
    rows = uow.session.execute(
        select(Moderation, Comment)
        .join(Comment, Comment.id == Moderation.comment_id)
        .where(Comment.consultation_id == consultation_id)
        .order_by(Moderation.id)
    ).all()
    flagged = uow.session.scalars(
        select(Comment)
        .where(Comment.consultation_id == consultation_id, Comment.flags > 0)
        .order_by(Comment.flags.desc(), Comment.id)
    ).all()
    return {
        "moderations": [
            {
                "comment_id": m.comment_id,
                "action": m.action,
                "reason": m.reason,
                "by": m.by,
                "at": m.at,
                "body": c.body,
            }
            for m, c in rows
        ],
        "flagged": [
            {"comment_id": c.id, "flags": c.flags, "hidden": c.hidden, "body": c.body}
            for c in flagged
        ],
    }


def summarize(uow: UnitOfWork, consultation_id: int, summary: str, now: datetime) -> dict:
    """The unit's response summary, once the consultation has closed."""
    consultation = _consultation(uow, consultation_id)
    _check_unit(uow, consultation.unit)
    if is_open(consultation, now):
        raise ConflictError("The summary is published after the consultation closes.")
    if consultation.summary is not None:
        raise ConflictError("The response summary was already published.")
    consultation.summary, consultation.summary_at = summary, now
    return view(uow, consultation.id, now)
