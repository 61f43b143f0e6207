"""The yearly staff engagement survey per unit (issue 16): staff heard on change.

Only signed-in ASN (a token with a NIP) of the unit answer, once; the answers are stored apart
from who answered (random ids, no time), and results are shown only for at least ten
respondents (`rules.disclosable`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from chassis.domain import ConflictError, Invalid, NotAllowed, NotFoundError
from chassis.uow import UnitOfWork
from services.feedback import rules
from services.feedback.tables_engagement import (
    EngagementAnswer,
    EngagementRespondent,
    EngagementSurvey,
)


def open_survey(uow: UnitOfWork, data: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """Open a unit's survey of a year (admins); one per unit and year."""
    if data["closes_on"] <= rules.wit_date(now):
        raise Invalid.field("closes_on", "The closing date must be after today.")
    survey = EngagementSurvey(
        unit=data["unit"],
        year=data["year"],
        questions=list(data["questions"]),
        closes_on=data["closes_on"],
        opened_by=uow.actor_name,
        opened_at=now,
    )
    uow.add_new(survey, "The unit already has a survey this year.")
    return head(survey, now)


def head(survey: EngagementSurvey, now: datetime) -> dict[str, Any]:
    """The survey as shown to staff."""
    return {
        "id": survey.id,
        "unit": survey.unit,
        "year": survey.year,
        "questions": survey.questions,
        "closes_on": survey.closes_on,
        "open": rules.wit_date(now) <= survey.closes_on,
    }


def _survey(uow: UnitOfWork, survey_id: int) -> EngagementSurvey:
    found = uow.session.get(EngagementSurvey, survey_id)
    if found is None:
        raise NotFoundError(f"No engagement survey {survey_id}.")
    return found


def answer(uow: UnitOfWork, survey_id: int, scores: list[int], now: datetime) -> dict:
    """An ASN of the unit answers once; 403 for others, 409 twice or after closing."""
    actor = uow.require_actor()
    survey = _survey(uow, survey_id)
    if not actor.nip or actor.unit != survey.unit:
        raise NotAllowed("Only the unit's own staff answer its survey.")
    if rules.wit_date(now) > survey.closes_on:
        raise ConflictError("The survey has closed.")
    if len(scores) != len(survey.questions):
        raise Invalid.field("scores", f"One score per question ({len(survey.questions)}).")
    uow.add_new(
        EngagementRespondent(survey_id=survey.id, nip=actor.nip), "You have already answered."
    )
    uow.session.add(EngagementAnswer(id=uuid.uuid4().hex, survey_id=survey.id, scores=scores))
    uow.flush()
    return {"survey_id": survey.id, "recorded": True}


def results(uow: UnitOfWork, survey_id: int, now: datetime) -> dict[str, Any]:
    """Respondents and, for a group of at least ten, the means (admins, the unit's officers)."""
    survey = _survey(uow, survey_id)
    actor = uow.require_actor()
    if "admin" not in actor.roles and actor.unit != survey.unit:
        raise NotAllowed("An officer reads their own unit's survey only.")
    answers = list(
        uow.session.scalars(
            select(EngagementAnswer.scores).where(EngagementAnswer.survey_id == survey.id)
        )
    )
    shown = rules.engagement_results(answers, len(survey.questions))
    respondents = uow.session.scalar(
        select(func.count()).where(EngagementRespondent.survey_id == survey.id)
    )
    return {
        **head(survey, now),
        "respondents": respondents,
        "minimum_group": rules.MIN_GROUP,
        "withheld": shown is None,
        "means": shown["means"] if shown else None,
        "overall": shown["overall"] if shown else None,
    }
