"""Who may do what to whose appraisal, decided from the roster projection (no HTTP here).

The appraiser is the employee's supervisor on the roster at the time of the act; an
objection goes to the appraiser's own superior (PermenPAN-RB 6/2022). Views pass the caller's
principal; these raise NotAllowed / NotFoundError (403 / 404 on the web).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from chassis.auth import Principal
from chassis.domain import NotAllowed
from chassis.uow import get_or_refuse
from services.appraisal.models import Employee


def employee(session: Session, nip: str) -> Employee:
    """The employee with `nip` in the roster projection; 404 when no event named them."""
    missing = f"No employee with NIP {nip} is known to the appraisal service."
    return get_or_refuse(session, Employee, nip, missing)


def is_admin(principal: Principal) -> bool:
    """True for BKD staff."""
    return "admin" in principal.roles


def is_supervisor_of(principal: Principal, subject: Employee) -> bool:
    """True when the caller is a supervisor and the roster names them `subject`'s supervisor."""
    return (
        "supervisor" in principal.roles
        and principal.nip is not None
        and subject.supervisor_nip == principal.nip
    )


def require_appraiser(principal: Principal, subject: Employee) -> None:
    """Only the employee's supervisor on the roster appraises them (not admins, not others)."""
    if not is_supervisor_of(principal, subject):
        raise NotAllowed(f"Only the supervisor of {subject.nip} on the roster may appraise them.")


def require_reader(
    principal: Principal, subject: Employee, also: Iterable[str | None] = ()
) -> None:
    """Admins, the employee, their supervisor (and the NIPs in `also`) may read; others 403."""
    if is_admin(principal) or (principal.nip is not None and principal.nip == subject.nip):
        return
    if is_supervisor_of(principal, subject):
        return
    if "supervisor" in principal.roles and principal.nip is not None and principal.nip in also:
        return
    raise NotAllowed(f"You may not read the appraisals of {subject.nip}.")


def readable(principal: Principal, subject: Employee, appraisals: list[Any]) -> list[Any]:
    """Those of `subject`'s `appraisals` the caller may read, each decided as its single read
    is (`require_reader`): a former appraiser sees the ones they made, not the later ones by
    others; 403 when the caller may read none of them and is not a reader of `subject`."""
    try:
        require_reader(principal, subject)
        return appraisals
    except NotAllowed:
        mine = [a for a in appraisals if _made_by(principal, a.appraiser_nip)]
        if not mine:
            raise
        return mine


def _made_by(principal: Principal, appraiser_nip: str | None) -> bool:
    return (
        "supervisor" in principal.roles
        and principal.nip is not None
        and (principal.nip == appraiser_nip)
    )


def superior_of(session: Session, appraiser_nip: str) -> str | None:
    """The appraiser's own superior on the roster (who hears objections), or None."""
    appraiser = session.get(Employee, appraiser_nip)
    return appraiser.supervisor_nip if appraiser is not None else None


def require_unit_viewer(session: Session, principal: Principal, unit: str) -> None:
    """Admins, and supervisors who belong to the unit or supervise someone in it."""
    if is_admin(principal):
        return
    if "supervisor" in principal.roles and principal.nip is not None:
        in_unit = session.scalar(
            select(
                exists().where(
                    Employee.unit == unit,
                    (Employee.supervisor_nip == principal.nip) | (Employee.nip == principal.nip),
                )
            )
        )
        if in_unit:
            return
    raise NotAllowed(f"Only admins and the supervisors of unit {unit} may see its calibration.")
