"""Appeals (sanggah): filed by the applicant within 3 days of the announcement, once, with the
registration number and the secret given at registration; decided by an admin within 7 days.

An accepted appeal corrects the record (scores, verification) through the audit trail and
re-ranks the formation. A decision after the 7-day deadline is still taken, since refusing it
would punish the applicant for the office's delay, but it is flagged overdue, in the response
and in the audit trail.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chassis import pagination as paging
from chassis.domain import ConflictError, Invalid, NotFoundError
from chassis.uow import UnitOfWork
from services.recruitment.selection import applications, audit, ranking, rules, scores
from services.recruitment.selection.models import Appeal, Application, Formation

APPLICANT = "applicant"  # the actor of a filing: applicants have no accounts
SCORE_FIELDS = ("twk", "tiu", "tkp", "skb")
OVERDUE_NOTE = " [decided after the 7-day deadline]"
# What an applicant sees of their appeal: not the admin who decided it.
APPLICANT_FIELDS = (
    "registration_number",
    "status",
    "filed_at",
    "answer_due",
    "grounds",
    "decided_at",
    "decision",
)


def _applicant(session: Session, registration_number: str, secret: str) -> Application:
    """The application whose appeal secret is `secret`; the same 404 for a wrong number or a
    wrong secret, so that neither tells whether a registration number exists."""
    application = session.scalar(
        select(Application).where(Application.registration_number == registration_number)
    )
    if application is None or not applications.secret_matches(application, secret):
        raise NotFoundError("No application with this registration number and secret.")
    return application


def file(uow: UnitOfWork, registration_number: str, secret: str, grounds: str) -> dict[str, Any]:
    """File the applicant's one appeal; 404 for a wrong number or secret (not saying which)."""
    session = uow.session
    application = _applicant(session, registration_number, secret)
    formation = session.get(Formation, application.formation_id)
    filed_at = audit.now()
    problem = rules.appeal_filing_problem(formation.announced_at, filed_at)
    if problem:
        raise ConflictError(problem)
    if session.scalar(select(Appeal.id).where(Appeal.application_id == application.id)):
        raise ConflictError("An appeal was already filed for this application; it is once only.")
    appeal = Appeal(
        application_id=application.id, filed_at=filed_at, grounds=grounds, status="FILED"
    )
    uow.add_new(appeal, "An appeal was already filed for this application; it is once only.")
    audit.record(
        session,
        "appeal",
        registration_number,
        [("status", None, "FILED")],
        who=APPLICANT,
        reason=None,
        at=filed_at,
    )
    return view(appeal, application)


def status(session: Session, registration_number: str, secret: str) -> dict[str, Any]:
    """The applicant's own view of their appeal: status, deadline, decision (not who took it)."""
    application = _applicant(session, registration_number, secret)
    appeal = session.scalar(select(Appeal).where(Appeal.application_id == application.id))
    if appeal is None:
        raise NotFoundError("No appeal was filed for this application.")
    found = view(appeal, application)
    return {name: found[name] for name in APPLICANT_FIELDS}


def get(
    session: Session, registration_number: str, *, for_update: bool = False
) -> tuple[Appeal, Application]:
    """The appeal of an application; 404 when it has none."""
    query = (
        select(Appeal, Application)
        .join(Application, Application.id == Appeal.application_id)
        .where(Application.registration_number == registration_number)
    )
    if for_update:
        query = query.with_for_update(of=Appeal)
    row = session.execute(query).first()
    if row is None:
        raise NotFoundError(f"Application {registration_number} has no appeal.")
    return row[0], row[1]


def of_year(
    session: Session,
    year: int,
    status: str | None = None,
    page: int = 1,
    page_size: int = paging.MAX_PAGE_SIZE,
) -> dict[str, Any]:
    """A page of the appeals of a selection year, oldest first, with their deadlines."""
    query = (
        select(Appeal, Application)
        .join(Application, Application.id == Appeal.application_id)
        .where(Application.year == year)
        .order_by(Appeal.filed_at, Appeal.id)
    )
    if status is not None:
        query = query.where(Appeal.status == status)
    return paging.page_of(session, query, page, page_size, view)


def view(appeal: Appeal, application: Application) -> dict[str, Any]:
    """An appeal with its answer deadline and whether it is (or was answered) late."""
    due = rules.appeal_answer_due(appeal.filed_at)
    return {
        "registration_number": application.registration_number,
        "formation_id": application.formation_id,
        "filed_at": appeal.filed_at,
        "grounds": appeal.grounds,
        "status": appeal.status,
        "answer_due": due,
        "overdue": _overdue(appeal, due),
        "decided_at": appeal.decided_at,
        "decided_by": appeal.decided_by,
        "decision": appeal.decision,
    }


def _overdue(appeal: Appeal, due: datetime) -> bool:
    return (appeal.decided_at or audit.now()) >= due


def decide(
    uow: UnitOfWork,
    registration_number: str,
    status: str,
    decision: str,
    corrections: Mapping[str, Any],
) -> dict[str, Any]:
    """Accept (with corrections, then re-rank) or reject an appeal, once."""
    session = uow.session
    appeal, application = get(session, registration_number, for_update=True)
    if appeal.status != "FILED":
        raise ConflictError(f"The appeal of {registration_number} was already {appeal.status}.")
    if status == "ACCEPTED" and not corrections:
        raise Invalid.field("corrections", "An accepted appeal corrects the record.")
    if status == "REJECTED" and corrections:
        raise Invalid.field("corrections", "A rejected appeal changes nothing.")
    who, decided_at = uow.actor_name, audit.now()
    overdue = decided_at >= rules.appeal_answer_due(appeal.filed_at)
    why = (decision[: 500 - len(OVERDUE_NOTE)] + OVERDUE_NOTE) if overdue else decision[:500]
    if corrections:
        _correct(session, application, corrections, who=who, reason=why)
    appeal.status, appeal.decision = status, decision
    appeal.decided_at, appeal.decided_by = decided_at, who
    audit.record(
        session,
        "appeal",
        registration_number,
        [("status", "FILED", status)],
        who=who,
        reason=why,
        at=decided_at,
    )
    session.flush()
    if corrections:
        ranking.rank_formations(session, [application.formation_id])
    return view(appeal, application)


def _correct(
    session: Session,
    application: Application,
    corrections: Mapping[str, Any],
    *,
    who: str,
    reason: str,
) -> None:
    verification = corrections.get("verification", application.verification)
    verification_reason = corrections.get("verification_reason", application.verification_reason)
    if verification == "TMS" and not verification_reason:
        raise Invalid.field("corrections", "A TMS verification needs its reason.")
    values = {name: corrections[name] for name in SCORE_FIELDS if name in corrections}
    if values and verification != "MS":
        raise Invalid.field("corrections", "Scores are taken only for applicants MS.")
    skd = [values.get(part, getattr(application, part)) for part in scores.SKD_PARTS]
    if (values.get("skb", application.skb) is not None) and None in skd:
        raise Invalid.field("corrections", "An SKB score needs a complete SKD score.")
    applications.set_verification(
        application,
        verification,
        verification_reason,
        who=who,
        session=session,
        audit_reason=reason,
    )
    scores.apply(session, application, values, who=who, reason=reason)
