"""Objections (keberatan) to a finalized annual rating, decided by the appraiser's superior.

An upheld objection changes the rating: a new predikat, a new revision, a new `finalized_at`
and a new `appraisal.appraisal.finalized` with the same `appraisal_id` (a re-decision;
consumers keep the newest). The unit's distribution is not checked again: the regulation gives
the superior's decision the last word, and the calibration view shows the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chassis.auth import Principal
from chassis.domain import ConflictError, NotAllowed
from chassis.uow import UnitOfWork, get_or_refuse
from services.appraisal import access, ratings, rules
from services.appraisal.models import Appraisal, Employee, Objection


def get(session: Session, objection_id: int, *, for_update: bool = False) -> Objection:
    """The objection with `objection_id`; 404 when none."""
    missing = f"No objection with id {objection_id}."
    return get_or_refuse(session, Objection, objection_id, missing, for_update=for_update)


def file(uow: UnitOfWork, nip: str, year: int, reason: str) -> Objection:
    """The employee objects to their own finalized annual rating, within the window."""
    session = uow.session
    principal = uow.require_actor()
    if principal.nip is None or principal.nip != nip:
        raise NotAllowed("Only the employee may object to their own rating.")
    appraisal = ratings.get(session, ratings.appraisal_id(nip, year, "ANNUAL"))
    if appraisal.status != "FINALIZED":
        raise ConflictError("Only a finalized annual rating can be objected to.")
    now = datetime.now(UTC)
    too_late = rules.objection_window_problem(appraisal.finalized_at, now)
    if too_late:
        raise ConflictError(too_late)
    if session.scalar(select(Objection.id).filter_by(appraisal_id=appraisal.id)) is not None:
        raise ConflictError("This rating has been objected to already (once per rating).")
    objection = Objection(
        appraisal_id=appraisal.id,
        nip=nip,
        reason=reason,
        status="PENDING",
        filed_at=now,
        previous_predikat=appraisal.predikat,
    )
    uow.add_new(objection, "This rating has been objected to already (once per rating).")
    return objection


def read(uow: UnitOfWork, objection_id: int) -> Objection:
    """The objection, for the employee, the appraiser, the deciding superior and admins."""
    session = uow.session
    objection = get(session, objection_id)
    _require_reader(session, uow.require_actor(), objection)
    return objection


def _require_reader(session: Session, principal: Principal, objection: Objection) -> None:
    appraisal = ratings.get(session, objection.appraisal_id)
    superior = access.superior_of(session, appraisal.appraiser_nip)
    access.require_reader(
        principal, access.employee(session, objection.nip), [appraisal.appraiser_nip, superior]
    )


def of_employee(uow: UnitOfWork, nip: str) -> list[Objection]:
    """The objections `nip` filed that the caller may read one by one, newest first; 403 when
    the caller reads none of them and may not read `nip`'s appraisals."""
    session = uow.session
    principal = uow.require_actor()
    subject = access.employee(session, nip)
    query = select(Objection).where(Objection.nip == nip)
    found = session.scalars(query.order_by(Objection.filed_at.desc()).limit(500))
    visible = []
    for objection in found:
        try:
            _require_reader(session, principal, objection)
        except NotAllowed:
            continue
        visible.append(objection)
    if not visible:
        access.require_reader(principal, subject)
    return visible


def listing(uow: UnitOfWork, scope: str, nip: str | None = None) -> list[Objection]:
    """The caller's own objections (`mine`), those they decide (`decide`: objections to
    ratings by the appraisers they supervise on the roster), or those `nip` filed
    (`employee`: each as its single read allows), newest first."""
    if scope == "employee" and nip is not None:
        return of_employee(uow, nip)
    principal = uow.require_actor()
    if principal.nip is None:
        return []
    query = select(Objection)
    if scope == "decide":
        if "supervisor" not in principal.roles:
            return []
        appraisers = select(Employee.nip).where(Employee.supervisor_nip == principal.nip)
        query = query.join(Appraisal, Appraisal.id == Objection.appraisal_id).where(
            Appraisal.appraiser_nip.in_(appraisers)
        )
    else:
        query = query.where(Objection.nip == principal.nip)
    return list(uow.session.scalars(query.order_by(Objection.filed_at.desc()).limit(500)))


def decide(uow: UnitOfWork, objection_id: int, values: Mapping[str, Any]) -> Objection:
    """The appraiser's superior upholds (with the new ratings) or rejects the objection."""
    session = uow.session
    principal = uow.require_actor()
    objection = get(session, objection_id, for_update=True)
    appraisal = ratings.get(session, objection.appraisal_id, for_update=True)
    superior = access.superior_of(session, appraisal.appraiser_nip)
    if "supervisor" not in principal.roles or superior is None or principal.nip != superior:
        raise NotAllowed("Only the appraiser's own superior on the roster decides an objection.")
    if objection.status != "PENDING":
        raise ConflictError(f"This objection is decided already ({objection.status}).")
    now = datetime.now(UTC)
    objection.decided_by = principal.nip
    objection.decided_at = now
    objection.decision_reason = values["reason"]
    if not values["upheld"]:
        objection.status = "REJECTED"
        return objection
    objection.status = "UPHELD"
    ratings.apply_ratings(appraisal, values)
    appraisal.revision += 1
    appraisal.finalized_at = now
    objection.new_predikat = appraisal.predikat
    ratings.publish_finalized(uow, appraisal)
    session.flush()
    return objection
