"""Registration of applicants, administrative verification (MS / TMS) and withdrawal.

The NIK is checked and stored, and never leaves this service: responses show it masked, and
neither the audit trail nor an event ever carries it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chassis import pagination as paging
from chassis.domain import ConflictError, Invalid, NotFoundError
from chassis.uow import UnitOfWork
from contracts.identifiers import mask_nik
from services.recruitment.selection import audit, formations, ranking
from services.recruitment.selection.models import (
    Application,
    Appointment,
    Formation,
    SelectionResult,
)

SECRET_BYTES = 18  # 144 random bits: 24 URL-safe characters


def hash_secret(secret: str) -> str:
    """The stored form of an appeal secret (sha256 hex; the secret itself is random)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(application: Application, secret: str) -> bool:
    """True when `secret` is the application's appeal secret (constant-time comparison)."""
    return hmac.compare_digest(application.appeal_secret_hash, hash_secret(secret))


def nik_disagreements(nik: str, *, birth_date: date, gender: str) -> dict[str, str]:
    """Fields that disagree with a valid NIK (Dukcapil: digits 7-12 are the birth date DDMMYY,
    with 40 added to the day for women)."""
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    problems: dict[str, str] = {}
    nik_gender = "F" if day > 40 else "M"
    if nik_gender != gender:
        problems["gender"] = "Does not agree with the NIK (digits 7-8: day + 40 for women)."
    if (day % 40 if day > 40 else day, month, year) != (
        birth_date.day,
        birth_date.month,
        birth_date.year % 100,
    ):
        problems["birth_date"] = "Does not agree with the NIK (digits 7-12: DDMMYY)."
    return problems


def register(
    uow: UnitOfWork, formation_id: int, values: Mapping[str, Any]
) -> tuple[Application, str]:
    """Register an applicant for a formation; returns the application and its appeal secret
    (given out this once: only its hash is kept)."""
    session = uow.session
    formation = formations.get(session, formation_id)
    formations.check_not_announced(formation, "its applicants")
    problems = nik_disagreements(
        values["nik"], birth_date=values["birth_date"], gender=values["gender"]
    )
    if problems:
        raise Invalid.fields(problems)
    _check_unique(session, formation.year, values["registration_number"], values["nik"])
    secret = secrets.token_urlsafe(SECRET_BYTES)
    application = Application(
        **values,
        formation_id=formation.id,
        year=formation.year,
        appeal_secret_hash=hash_secret(secret),
        verification="PENDING",
        withdrawn=False,
        created_at=audit.now(),
    )
    # A concurrent registration may take the number or the NIK between our check and our write.
    uow.add_new(application, "This registration number or NIK is already registered.")
    return application, secret


def _check_unique(session: Session, year: int, registration_number: str, nik: str) -> None:
    taken = select(Application.id).where(Application.registration_number == registration_number)
    if session.scalar(taken) is not None:
        raise ConflictError(f"Registration number {registration_number} is already registered.")
    same_person = select(Application.id).where(Application.year == year, Application.nik == nik)
    if session.scalar(same_person) is not None:
        # The message does not echo the NIK: it is personal data.
        raise ConflictError(f"This NIK already has an application in the {year} selection.")


def get(session: Session, registration_number: str, *, for_update: bool = False) -> Application:
    """The application with `registration_number`; 404 when there is none."""
    query = select(Application).where(Application.registration_number == registration_number)
    if for_update:
        query = query.with_for_update()
    application = session.scalar(query)
    if application is None:
        raise NotFoundError(f"No application {registration_number}.")
    return application


def of_formation(
    session: Session, formation_id: int, page: int = 1, page_size: int = paging.MAX_PAGE_SIZE
) -> dict[str, Any]:
    """A page of the applications to a formation, by registration number, NIK masked."""
    formations.get(session, formation_id)
    query = (
        select(Application)
        .where(Application.formation_id == formation_id)
        .order_by(Application.registration_number)
    )
    return paging.page_of(session, query, page, page_size, view)


def view(application: Application) -> dict[str, Any]:
    """An application as admins and recruiters see it: the NIK masked."""
    skd = (application.twk, application.tiu, application.tkp)
    return {
        **{
            name: getattr(application, name)
            for name in (
                "registration_number",
                "formation_id",
                "year",
                "name",
                "birth_date",
                "gender",
                "education",
                "gpa",
                "verification",
                "verification_reason",
                "twk",
                "tiu",
                "tkp",
                "skb",
                "withdrawn",
                "created_at",
            )
        },
        "nik_masked": mask_nik(application.nik),
        "skd_total": sum(skd) if None not in skd else None,
    }


def set_verification(
    application: Application,
    verification: str,
    reason: str | None,
    *,
    who: str,
    session: Session,
    audit_reason: str | None = None,
) -> bool:
    """Record the administrative verification (audited); returns True when it changed."""
    old = (application.verification, application.verification_reason)
    new = (verification, reason if verification == "TMS" else None)
    if old == new:
        return False
    application.verification, application.verification_reason = new
    changes = [
        (field, before, after)
        for field, before, after in zip(
            ("verification", "verification_reason"), old, new, strict=True
        )
        if before != after
    ]
    audit.record(
        session,
        "application",
        application.registration_number,
        changes,
        who=who,
        reason=audit_reason or reason,
    )
    return True


def verify(
    uow: UnitOfWork, registration_number: str, verification: str, reason: str | None
) -> Application:
    """MS or TMS (with a reason) for an application, before its formation is announced."""
    session = uow.session
    application = get(session, registration_number, for_update=True)
    formation = session.get(Formation, application.formation_id)
    formations.check_not_announced(formation, "verifications")
    if verification == "TMS" and not reason:
        raise Invalid.field("reason", "A TMS verification needs the reason.")
    changing = application.verification not in ("PENDING", verification)
    if changing and not reason:
        raise Invalid.field("reason", "Changing a verification needs the reason.")
    set_verification(application, verification, reason, who=uow.actor_name, session=session)
    session.flush()
    return application


def withdraw(uow: UnitOfWork, registration_number: str, reason: str) -> Application:
    """Mark a selected applicant withdrawn (declined or did not report): their post is empty."""
    session = uow.session
    application = get(session, registration_number, for_update=True)
    if application.withdrawn:
        raise ConflictError(f"Application {registration_number} is already withdrawn.")
    if session.get(Appointment, application.id) is not None:
        raise ConflictError(f"Application {registration_number} is already appointed.")
    result = session.get(SelectionResult, application.id)
    if result is None or result.outcome not in ("SELECTED", "OPTIMISED"):
        raise ConflictError(
            f"Application {registration_number} is not selected; nothing to withdraw."
        )
    application.withdrawn = True
    audit.record(
        session,
        "application",
        registration_number,
        [("withdrawn", False, True)],
        who=uow.actor_name,
        reason=reason,
    )
    session.flush()
    # The withdrawn applicant stops competing: the next in line of the formation moves up.
    # Re-ranking clears the formation's OPTIMISED outcomes, so optimisation is run again after.
    ranking.rank_formations(session, [application.formation_id])
    return application
