"""Sofifi Berprestasi eligibility: the facts events bring, and decisions made again from them.

Every handler stores its fact first and then re-decides the (employee, year) pairs the fact can
touch from everything stored (`redetermine`), so the order in which facts arrive does not matter:
a complaint stored before the appraisal counts when the appraisal comes. A decision is written,
and `awards.eligibility.determined` added to the outbox, only when the outcome or the reasons
change; a repeated or older fact re-decides to the same result and publishes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, exists, select, tuple_, update
from sqlalchemy.orm import Session

from chassis.arrays import ManyRows
from chassis.projection import upsert_newer, upsert_newer_many
from services.awards import rules
from services.awards.locks import lock, lock_many
from services.awards.models import (
    AnnualAppraisal,
    DisciplinarySanction,
    Eligibility,
    JpTotal,
    SubstantiatedComplaint,
    outbox,
)

DETERMINED = "awards.eligibility.determined"

_APPRAISALS = AnnualAppraisal.__table__
_COMPLAINTS = SubstantiatedComplaint.__table__
_SANCTIONS = DisciplinarySanction.__table__
_JP = JpTotal.__table__
_ELIGIBILITY = Eligibility.__table__


# -- facts ----------------------------------------------------------------------------------


def record_appraisals(
    session: Session, items: Sequence[tuple[Mapping[str, Any], datetime, str]]
) -> None:
    """Keep annual appraisals (the newest per employee and year) and decide those years.

    Items are (data, as_of, correlation id).

    A handful of statements whatever their number: the locks (years first, then employees,
    each in sorted order, as one appraisal takes them), one upsert, one read of the facts of
    every (employee, year), then the decisions and their events written together.
    """
    newest: dict[tuple[str, int], tuple[Mapping[str, Any], datetime, str]] = {}
    for data, as_of, cid in items:
        pair = (data["nip"], data["year"])
        if pair not in newest or newest[pair][1] <= as_of:
            newest[pair] = (data, as_of, cid)
    if not newest:
        return
    pairs = sorted(newest)
    lock_many(session, sorted({year for _nip, year in pairs}), sorted({n for n, _y in pairs}))
    upsert_newer_many(
        session,
        _APPRAISALS,
        [
            (
                {
                    **_pick(data, _APPRAISAL_FIELDS),
                    "finalized_at": datetime.fromisoformat(data["finalized_at"]),
                },
                as_of,
            )
            for data, as_of, _cid in newest.values()
        ],
    )
    facts = {
        (row.nip, row.year): row
        for row in session.connection().execute(_FACTS_MANY, {"pairs": pairs})
    }
    with_complaints = sorted({nip for (nip, _y), f in facts.items() if f.any_complaint})
    with_sanctions = sorted({nip for (nip, _y), f in facts.items() if f.any_sanction})
    complaints = _by_nip(session, _COMPLAINTS_OF_MANY, with_complaints)
    sanctions = _by_nip(session, _SANCTIONS_OF_MANY, with_sanctions)
    now = datetime.now(UTC)
    inserts, updates, bases, events = [], [], [], []
    for nip, year in pairs:
        row = facts.get((nip, year))
        if row is None:
            continue
        change = _change(nip, year, row, complaints.get(nip, ()), sanctions.get(nip, ()), now)
        if change is None:
            continue
        if change.insert:
            inserts.append({**change.key, **change.values})
        else:
            keyed = {**change.values, **{f"k_{k}": v for k, v in change.key.items()}}
            (updates if change.event else bases).append(keyed)
        if change.event:
            events.append((change.event, newest[(nip, year)][2]))
    connection = session.connection()
    for rows in (bases, updates):
        if rows:
            connection.execute(_UPDATE_DECISION, rows)
    if inserts:
        _INSERT_DECISIONS.execute(connection, inserts)
    outbox.add_many(session, DETERMINED, events)


def _by_nip(session: Session, statement: Any, nips: list[str]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    if nips:
        for row in session.connection().execute(statement, {"nips": nips}):
            found.setdefault(row.nip, []).append(row)
    return found


_APPRAISAL_FIELDS = ("nip", "year", "appraisal_id", "unit", "predikat")


def _pick(data: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    return {name: data[name] for name in names}


def record_complaint(session: Session, data: Mapping[str, Any], as_of: datetime) -> None:
    """Keep a substantiated complaint (one per tracking number) and decide the year it is in."""
    lock(session, "employee", nip=data["nip"])
    old = _run(session, _COMPLAINT, tracking_number=data["tracking_number"]).first()
    incident = data.get("incident_date")
    values = {
        "tracking_number": data["tracking_number"],
        "nip": data["nip"],
        "substantiated_on": date.fromisoformat(data["substantiated_on"]),
        "incident_date": date.fromisoformat(incident) if incident else None,
    }
    upsert_newer(session, _COMPLAINTS, values, as_of)
    # A corrected complaint (same tracking number, newer) may move to another year: both count.
    touched = {(values["nip"], rules.complaint_date(_complaint(values)).year)}
    if old is not None:
        lock(session, "employee", nip=old.nip)
        touched.add((old.nip, rules.complaint_date(_complaint(old._mapping)).year))
    for nip, year in sorted(touched):
        redetermine(session, nip, year)


def record_sanction(session: Session, data: Mapping[str, Any], as_of: datetime) -> None:
    """Keep a disciplinary sanction (one per sanction id) and decide every year it touches."""
    lock(session, "employee", nip=data["nip"])
    old = _run(session, _SANCTION, sanction_id=data["sanction_id"]).first()
    until = data.get("effective_until")
    values = {
        "sanction_id": data["sanction_id"],
        "nip": data["nip"],
        "level": data["level"],
        "decided_on": date.fromisoformat(data["decided_on"]),
        "effective_from": date.fromisoformat(data["effective_from"]),
        "effective_until": date.fromisoformat(until) if until else None,
    }
    upsert_newer(session, _SANCTIONS, values, as_of)
    touched = _sanction_touches(session, values)
    if old is not None:
        lock(session, "employee", nip=old.nip)
        touched |= _sanction_touches(session, old._mapping)
    for nip, year in sorted(touched):
        redetermine(session, nip, year)


def record_jp(session: Session, data: Mapping[str, Any], as_of: datetime) -> None:
    """Keep an employee's JP for the year; the first JP of a year opens that year's ledger."""
    nip, year = data["nip"], data["year"]
    ledger_was_open = _ledger_open(session, year)
    if not ledger_was_open:
        lock(session, "ledger", year=year)
        ledger_was_open = _ledger_open(session, year)  # another consumer may have opened it
    lock(session, "employee", nip=nip)
    upsert_newer(
        session, _JP, {"nip": nip, "year": year, "jp_year_total": data["jp_year_total"]}, as_of
    )
    if ledger_was_open:
        redetermine(session, nip, year)
        return
    # From now on "no JP received" means 0 JP for every employee decided for this year.
    for appraised in _appraised_in(session, year):
        lock(session, "employee", nip=appraised)
        redetermine(session, appraised, year)


# -- deciding -------------------------------------------------------------------------------


def redetermine(session: Session, nip: str, year: int) -> bool:
    """Decide `nip`'s eligibility for `year` from the stored facts; True when it published.

    Nothing happens before the annual appraisal for the year has arrived.
    """
    facts = _run(session, _FACTS, nip=nip, year=year).first()
    if facts is None:
        return False
    complaints = _run(session, _COMPLAINTS_OF, nip=nip) if facts.any_complaint else ()
    sanctions = _run(session, _SANCTIONS_OF, nip=nip) if facts.any_sanction else ()
    change = _change(nip, year, facts, complaints, sanctions, datetime.now(UTC))
    if change is None:
        return False
    if change.insert:
        session.connection().execute(_INSERT_DECISION, {**change.key, **change.values})
    else:
        _update(session, change.key, change.values)
    if change.event is None:
        return False
    outbox.add(session, DETERMINED, change.event)
    return True


@dataclass(frozen=True)
class _Change:
    """What deciding again changes: the decision row's `values`, and the event to publish
    (None when only the basis moved: a newer appraisal with the same outcome)."""

    key: dict[str, Any]
    values: dict[str, Any]
    insert: bool
    event: dict[str, Any] | None


def _change(
    nip: str,
    year: int,
    facts: Any,
    complaints: Iterable[Any],
    sanctions: Iterable[Any],
    now: datetime,
) -> _Change | None:
    """Decide from one (employee, year)'s stored facts; None when nothing changes."""
    decision = rules.sofifi_berprestasi(
        year,
        facts.predikat,
        complaints=[_complaint(row._mapping) for row in complaints],
        sanctions=[_sanction(row._mapping) for row in sanctions],
        jp=rules.JpRecord(bool(facts.ledger_open), facts.jp_total if facts.ledger_open else None),
    )
    reasons = decision.reasons_as_dicts()
    key = {"nip": nip, "year": year, "programme": rules.PROGRAMME}
    basis = {"unit": facts.unit, "basis": facts.appraisal_id}
    decided = facts.eligible is not None
    if decided and (facts.eligible, facts.reasons) == (decision.eligible, reasons):
        if (facts.decided_unit, facts.basis) == (basis["unit"], basis["basis"]):
            return None
        return _Change(key, basis, insert=False, event=None)
    values = {**basis, "eligible": decision.eligible, "reasons": reasons, "determined_at": now}
    event = determined_event(key, decision.eligible, reasons, now)
    return _Change(key, values, insert=not decided, event=event)


def determined_event(
    key: Mapping[str, Any], eligible: bool, reasons: list[dict[str, str]], at: datetime
) -> dict[str, Any]:
    """The data of `awards.eligibility.determined` (contracts/awards.py)."""
    return {
        "nip": key["nip"],
        "year": key["year"],
        "programme": key["programme"],
        "eligible": eligible,
        "reasons": reasons,
        "determined_at": at.isoformat(),
    }


# -- reading --------------------------------------------------------------------------------
# Core statements built once (building one costs more than running it here), run on the
# session's connection: handlers of one batch share a session, and an ORM object loaded by an
# earlier event would hide what a later event's upsert wrote.


def _key(table: Any, *names: str) -> Any:
    return and_(*(table.c[name] == bindparam(f"k_{name}") for name in names))


_APPRAISED_YEARS = select(_APPRAISALS.c.year).where(_key(_APPRAISALS, "nip"))
_APPRAISED_NIPS = select(_APPRAISALS.c.nip).where(_key(_APPRAISALS, "year"))
_COMPLAINT = select(_COMPLAINTS).where(_key(_COMPLAINTS, "tracking_number"))
_COMPLAINTS_OF = select(_COMPLAINTS).where(_key(_COMPLAINTS, "nip"))
_SANCTION = select(_SANCTIONS).where(_key(_SANCTIONS, "sanction_id"))
_SANCTIONS_OF = select(_SANCTIONS).where(_key(_SANCTIONS, "nip"))
_LEDGER_OPEN = select(exists().where(_key(_JP, "year")))
# Everything a decision needs in one round trip; complaints and sanctions are read only for the
# few employees who have any.
_FACTS = (
    select(
        _APPRAISALS.c.predikat,
        _APPRAISALS.c.unit,
        _APPRAISALS.c.appraisal_id,
        _ELIGIBILITY.c.eligible,
        _ELIGIBILITY.c.reasons,
        _ELIGIBILITY.c.unit.label("decided_unit"),
        _ELIGIBILITY.c.basis,
        exists().where(_COMPLAINTS.c.nip == _APPRAISALS.c.nip).label("any_complaint"),
        exists().where(_SANCTIONS.c.nip == _APPRAISALS.c.nip).label("any_sanction"),
        exists().where(_JP.c.year == _APPRAISALS.c.year).label("ledger_open"),
        select(_JP.c.jp_year_total)
        .where(_JP.c.nip == _APPRAISALS.c.nip, _JP.c.year == _APPRAISALS.c.year)
        .scalar_subquery()
        .label("jp_total"),
    )
    .select_from(
        _APPRAISALS.outerjoin(
            _ELIGIBILITY,
            and_(
                _ELIGIBILITY.c.nip == _APPRAISALS.c.nip,
                _ELIGIBILITY.c.year == _APPRAISALS.c.year,
                _ELIGIBILITY.c.programme == rules.PROGRAMME,
            ),
        )
    )
    .where(_key(_APPRAISALS, "nip", "year"))
)
_INSERT_DECISION = _ELIGIBILITY.insert()
_INSERT_DECISIONS = ManyRows(
    _ELIGIBILITY,
    ("nip", "year", "programme", "unit", "basis", "eligible", "reasons", "determined_at"),
)
_UPDATE_DECISION = update(_ELIGIBILITY).where(_key(_ELIGIBILITY, "nip", "year", "programme"))


def _run(session: Session, statement: Any, **keys: Any) -> Any:
    return session.connection().execute(statement, {f"k_{k}": v for k, v in keys.items()})


def _update(session: Session, key: Mapping[str, Any], values: Mapping[str, Any]) -> None:
    params = {**values, **{f"k_{k}": v for k, v in key.items()}}
    session.connection().execute(_UPDATE_DECISION, params)


def _complaint(row: Mapping[str, Any]) -> rules.Complaint:
    return rules.Complaint(row["substantiated_on"], row["incident_date"])


def _sanction(row: Mapping[str, Any]) -> rules.Sanction:
    return rules.Sanction(row["level"], row["effective_from"], row["effective_until"])


def _sanction_touches(session: Session, row: Mapping[str, Any]) -> set[tuple[str, int]]:
    years = _run(session, _APPRAISED_YEARS, nip=row["nip"]).scalars()
    return {(row["nip"], year) for year in rules.sanction_years(_sanction(row), years)}


def _ledger_open(session: Session, year: int) -> bool:
    return bool(_run(session, _LEDGER_OPEN, year=year).scalar())


def _appraised_in(session: Session, year: int) -> Iterable[str]:
    # Sorted: the employee locks are taken in one order, so two cascades cannot deadlock.
    return sorted(_run(session, _APPRAISED_NIPS, year=year).scalars())


_FACTS_MANY = (
    select(*_FACTS.selected_columns, _APPRAISALS.c.nip, _APPRAISALS.c.year)
    .select_from(
        _APPRAISALS.outerjoin(
            _ELIGIBILITY,
            and_(
                _ELIGIBILITY.c.nip == _APPRAISALS.c.nip,
                _ELIGIBILITY.c.year == _APPRAISALS.c.year,
                _ELIGIBILITY.c.programme == rules.PROGRAMME,
            ),
        )
    )
    .where(tuple_(_APPRAISALS.c.nip, _APPRAISALS.c.year).in_(bindparam("pairs", expanding=True)))
)
_COMPLAINTS_OF_MANY = select(_COMPLAINTS).where(
    _COMPLAINTS.c.nip.in_(bindparam("nips", expanding=True))
)
_SANCTIONS_OF_MANY = select(_SANCTIONS).where(
    _SANCTIONS.c.nip.in_(bindparam("nips", expanding=True))
)
