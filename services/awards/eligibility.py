"""Sofifi Berprestasi eligibility: the facts events bring, and decisions made again from them.

Every handler stores its fact first and then re-decides the (employee, year) pairs the fact can
touch from everything stored (`redetermine`), so the order in which facts arrive does not matter:
a complaint stored before the appraisal counts when the appraisal comes. A decision is written,
and `awards.eligibility.determined` added to the outbox, only when the outcome or the reasons
change; a repeated or older fact re-decides to the same result and publishes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from chassis.projection import upsert_newer, upsert_newer_many
from services.awards import eligibility_store as store
from services.awards import rules
from services.awards.models import outbox

DETERMINED = "awards.eligibility.determined"

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
    store.lock_many(session, sorted({year for _nip, year in pairs}), sorted({n for n, _y in pairs}))
    upsert_newer_many(
        session,
        store.APPRAISALS,
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
        for row in session.connection().execute(store.FACTS_MANY, {"pairs": pairs})
    }
    with_complaints = sorted({nip for (nip, _y), f in facts.items() if f.any_complaint})
    with_sanctions = sorted({nip for (nip, _y), f in facts.items() if f.any_sanction})
    complaints = store.by_nip(session, store.COMPLAINTS_OF_MANY, with_complaints)
    sanctions = store.by_nip(session, store.SANCTIONS_OF_MANY, with_sanctions)
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
            connection.execute(store.UPDATE_DECISION, rows)
    if inserts:
        store.INSERT_DECISIONS.execute(connection, inserts)
    outbox.add_many(session, DETERMINED, events)


_APPRAISAL_FIELDS = ("nip", "year", "appraisal_id", "unit", "predikat")


def _pick(data: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    return {name: data[name] for name in names}


def record_complaint(session: Session, data: Mapping[str, Any], as_of: datetime) -> None:
    """Keep a substantiated complaint (one per tracking number) and decide the year it is in."""
    incident = data.get("incident_date")
    values = {
        "tracking_number": data["tracking_number"],
        "nip": data["nip"],
        "substantiated_on": date.fromisoformat(data["substantiated_on"]),
        "incident_date": date.fromisoformat(incident) if incident else None,
    }
    # A corrected complaint (same tracking number, newer) may move to another year: both count.
    kind = (store.COMPLAINTS, store.COMPLAINT, "tracking_number", _complaint_touches)
    _record_fact(session, kind, values, as_of)


def record_sanction(session: Session, data: Mapping[str, Any], as_of: datetime) -> None:
    """Keep a disciplinary sanction (one per sanction id) and decide every year it touches."""
    until = data.get("effective_until")
    values = {
        "sanction_id": data["sanction_id"],
        "nip": data["nip"],
        "level": data["level"],
        "decided_on": date.fromisoformat(data["decided_on"]),
        "effective_from": date.fromisoformat(data["effective_from"]),
        "effective_until": date.fromisoformat(until) if until else None,
    }
    kind = (store.SANCTIONS, store.SANCTION, "sanction_id", _sanction_touches)
    _record_fact(session, kind, values, as_of)


def record_jp(session: Session, data: Mapping[str, Any], as_of: datetime) -> None:
    """Keep an employee's JP for the year; the first JP of a year opens that year's ledger."""
    nip, year = data["nip"], data["year"]
    ledger_was_open = store.ledger_open(session, year)
    if not ledger_was_open:
        store.lock(session, "ledger", year=year)
        ledger_was_open = store.ledger_open(session, year)  # another consumer may have opened it
    store.lock(session, "employee", nip=nip)
    upsert_newer(
        session, store.JP, {"nip": nip, "year": year, "jp_year_total": data["jp_year_total"]}, as_of
    )
    if ledger_was_open:
        redetermine(session, nip, year)
        return
    # From now on "no JP received" means 0 JP for every employee decided for this year.
    for appraised in store.appraised_in(session, year):
        store.lock(session, "employee", nip=appraised)
        redetermine(session, appraised, year)


Touches = Callable[[Session, Mapping[str, Any]], set[tuple[str, int]]]


def _record_fact(
    session: Session,
    kind: tuple[Any, Any, str, Touches],
    values: Mapping[str, Any],
    as_of: datetime,
) -> None:
    """Keep a complaint or a sanction (the newest per id) and decide again the (employee, year)
    pairs it touches, as it is now and as it was (a correction may move it elsewhere).

    `kind`: its table, the statement reading one by id, the id's name, what it touches.
    """
    table, by_id, id_name, touches = kind
    store.lock(session, "employee", nip=values["nip"])
    old = store.run(session, by_id, **{id_name: values[id_name]}).first()
    upsert_newer(session, table, dict(values), as_of)
    touched = touches(session, values)
    if old is not None:
        store.lock(session, "employee", nip=old.nip)
        touched |= touches(session, old._mapping)
    for nip, year in sorted(touched):
        redetermine(session, nip, year)


def _complaint_touches(_session: Session, row: Mapping[str, Any]) -> set[tuple[str, int]]:
    return {(row["nip"], rules.complaint_date(_complaint(row)).year)}


def _sanction_touches(session: Session, row: Mapping[str, Any]) -> set[tuple[str, int]]:
    years = store.run(session, store.APPRAISED_YEARS, nip=row["nip"]).scalars()
    return {(row["nip"], year) for year in rules.sanction_years(_sanction(row), years)}


# -- deciding -------------------------------------------------------------------------------


def redetermine(session: Session, nip: str, year: int) -> bool:
    """Decide `nip`'s eligibility for `year` from the stored facts; True when it published.

    Nothing happens before the annual appraisal for the year has arrived.
    """
    facts = store.run(session, store.FACTS, nip=nip, year=year).first()
    if facts is None:
        return False
    complaints = store.run(session, store.COMPLAINTS_OF, nip=nip) if facts.any_complaint else ()
    sanctions = store.run(session, store.SANCTIONS_OF, nip=nip) if facts.any_sanction else ()
    change = _change(nip, year, facts, complaints, sanctions, datetime.now(UTC))
    if change is None:
        return False
    if change.insert:
        session.connection().execute(store.INSERT_DECISION, {**change.key, **change.values})
    else:
        store.update_decision(session, change.key, change.values)
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


def _complaint(row: Mapping[str, Any]) -> rules.Complaint:
    return rules.Complaint(row["substantiated_on"], row["incident_date"])


def _sanction(row: Mapping[str, Any]) -> rules.Sanction:
    return rules.Sanction(row["level"], row["effective_from"], row["effective_until"])
