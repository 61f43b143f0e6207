"""IKM surveys (PermenPAN-RB 14/2017): opened per unit and period by admins, answered without an
account with a one-use respondent code handed out at the service counter, published with the
index, its category and the Krejcie-Morgan sample check."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from chassis.domain import ConflictError, Invalid, NotAllowed, NotFoundError
from chassis.uow import UnitOfWork
from contracts.feedback import IKM_ELEMENTS
from services.feedback import rules
from services.feedback.tables import IkmCode, IkmResponse, IkmSurvey

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
MAX_CODES_PER_CALL = 2000


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def open_survey(uow: UnitOfWork, data: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """Open a unit's survey for a period (one per unit, year and period)."""
    actor = uow.require_actor()
    survey = IkmSurvey(
        unit=data["unit"],
        year=data["year"],
        period=data["period"],
        population=data["population"],
        status="OPEN",
        opened_by=actor.username,
        opened_at=now,
    )
    try:
        with uow.savepoint():
            uow.session.add(survey)
            uow.flush()
    except IntegrityError:
        raise ConflictError("This unit already has a survey for this period.") from None
    return view(uow, survey)


def _survey(uow: UnitOfWork, survey_id: int) -> IkmSurvey:
    survey = uow.session.get(IkmSurvey, survey_id)
    if survey is None:
        raise NotFoundError(f"No survey {survey_id}.")
    return survey


def _check_unit(uow: UnitOfWork, survey: IkmSurvey) -> None:
    actor = uow.require_actor()
    if "admin" not in actor.roles and actor.unit != survey.unit:
        raise NotAllowed("An officer works on their own unit's surveys only.")


def issue_codes(uow: UnitOfWork, survey_id: int, count: int) -> dict[str, Any]:
    """One-use respondent codes, shown this once (only their hashes are kept)."""
    survey = _survey(uow, survey_id)
    _check_unit(uow, survey)
    if survey.status != "OPEN":
        raise ConflictError("The survey is closed.")
    codes = [
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)) for _ in range(count)
    ]
    uow.session.add_all(IkmCode(code_hash=_hash(c), survey_id=survey.id, used=False) for c in codes)
    return {"survey_id": survey.id, "codes": codes}


def answer(
    uow: UnitOfWork, survey_id: int, data: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    """Record one respondent's answers; the code is spent (a second answer is a 409)."""
    survey = _survey(uow, survey_id)
    if survey.status != "OPEN":
        raise ConflictError("The survey is closed.")
    digest = _hash(data["code"])
    spent = uow.session.execute(
        update(IkmCode)
        .where(IkmCode.code_hash == digest, IkmCode.survey_id == survey.id, IkmCode.used.is_(False))
        .values(used=True)
    )
    if spent.rowcount != 1:
        known = uow.session.get(IkmCode, digest)
        if known is not None and known.survey_id == survey.id:
            raise ConflictError("This code has already been used to answer the survey.")
        raise Invalid.field("code", "This is not a code of this survey.")
    scores = "".join(str(data["answers"][element]) for element in IKM_ELEMENTS)
    uow.session.add(
        IkmResponse(
            survey_id=survey.id,
            code_hash=digest,
            answers=scores,
            age_band=data.get("age_band"),
            gender=data.get("gender"),
            education=data.get("education"),
            answered_on=rules.wit_date(now),
        )
    )
    return {"survey_id": survey.id, "recorded": True}


def result(uow: UnitOfWork, survey: IkmSurvey) -> dict[str, Any] | None:
    """The survey's current result by the regulation's formula (None before any answer)."""
    answers = uow.session.scalars(
        select(IkmResponse.answers).where(IkmResponse.survey_id == survey.id)
    ).all()
    if not answers:
        return None
    computed = rules.ikm_result([int(ch) for ch in row] for row in answers)
    needed = rules.minimum_sample(survey.population)
    return {
        "respondents": computed.respondents,
        "nrr": {e: float(v) for e, v in zip(IKM_ELEMENTS, computed.nrr, strict=True)},
        "ikm": float(computed.ikm),
        "category": computed.category,
        "quality": computed.quality,
        "minimum_sample": needed,
        "sample_sufficient": computed.respondents >= needed,
    }


def view(uow: UnitOfWork, survey: IkmSurvey) -> dict[str, Any]:
    """A survey with its live result (staff) or its published one."""
    published = json.loads(survey.result) if survey.result else None
    return {
        "id": survey.id,
        "unit": survey.unit,
        "year": survey.year,
        "period": survey.period,
        "population": survey.population,
        "status": survey.status,
        "opened_at": survey.opened_at,
        "published_at": survey.published_at,
        "result": published or result(uow, survey),
    }


def staff_view(uow: UnitOfWork, survey_id: int) -> dict[str, Any]:
    """One survey as staff follow it."""
    survey = _survey(uow, survey_id)
    _check_unit(uow, survey)
    return view(uow, survey)


def publish(uow: UnitOfWork, survey_id: int, now: datetime) -> dict[str, Any]:
    """Close the survey and publish its result (and `feedback.ikm.published`)."""
    uow.require_actor()
    survey = _survey(uow, survey_id)
    if survey.status != "OPEN":
        raise ConflictError("This survey's result was already published.")
    computed = result(uow, survey)
    if computed is None:
        raise ConflictError("A survey without answers has no result to publish.")
    survey.status, survey.published_at = "PUBLISHED", now
    survey.result = json.dumps(computed)
    uow.publish(
        "feedback.ikm.published",
        {
            "unit": survey.unit,
            "year": survey.year,
            "period": survey.period,
            "respondents": computed["respondents"],
            "nrr": computed["nrr"],
            "ikm": computed["ikm"],
            "category": computed["category"],
            "published_at": now.isoformat(),
        },
    )
    return view(uow, survey)


def public_results(uow: UnitOfWork, unit: str | None) -> list[dict[str, Any]]:
    """Published results per unit over time (newest period first)."""
    query = select(IkmSurvey).where(IkmSurvey.status == "PUBLISHED")
    if unit:
        query = query.where(IkmSurvey.unit == unit)
    surveys = uow.session.scalars(
        query.order_by(IkmSurvey.unit, IkmSurvey.year.desc(), IkmSurvey.period.desc())
    ).all()
    return [view(uow, s) for s in surveys]


def open_surveys(uow: UnitOfWork, unit: str | None) -> list[dict[str, Any]]:
    """Surveys a citizen can answer now (no result shown while open)."""
    query = select(IkmSurvey).where(IkmSurvey.status == "OPEN")
    if unit:
        query = query.where(IkmSurvey.unit == unit)
    return [
        {"id": s.id, "unit": s.unit, "year": s.year, "period": s.period}
        for s in uow.session.scalars(query.order_by(IkmSurvey.id))
    ]
