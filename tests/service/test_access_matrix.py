"""Every list endpoint filters the way its single read checks: endpoint x role x relationship.

For each list endpoint and each caller (a role, and how the caller stands to the records: the
employee, their supervisor now, their appraiser before a transfer, an unrelated supervisor,
another employee, BKD, the committee, a recruiter, an officer, nobody), the records the list
gives are exactly those whose single read answers 200 to the same caller (or, for lists kept to
some roles, a subset of them): a list never shows what the single read refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.service.appraisal_support import YEAR, build
from tests.service.awards_support import finalized as award_finalized
from tests.service.training_support import APPRAISER, appraisal_data
from tests.service.training_support import finalized as training_finalized


@dataclass
class World:
    """One list endpoint over some records, and the callers to try it with."""

    list_ids: Callable[[dict[str, str]], tuple[int, set[str]]]
    read_status: Callable[[dict[str, str], str], int]
    ids: set[str]
    callers: dict[str, dict[str, str]]
    filters: bool  # the list narrows to the caller (equality), else it is kept to some roles


def appraisal_world(make_service, keys, employee_events) -> World:
    """X appraised by A for YEAR, then moved under B and appraised by B for YEAR + 1."""
    service = make_service("appraisal")
    org = build(service, keys, employee_events, staff=2)
    x, colleague = org.staff_a
    org.plan_and_rate(x, org.sup_a, "BAIK")
    record = employee_events.record(x, unit="BKD", supervisor_nip=org.sup_b, name="Staf 0")
    service.apply(employee_events.updated(record, ["supervisor_nip"]))
    org.open_period(YEAR + 1)
    org.plan_and_rate(x, org.sup_b, "SANGAT_BAIK", year=YEAR + 1)
    client = service.client

    def list_ids(headers):
        response = client.get("/appraisals", query_string={"nip": x}, headers=headers)
        return response.status_code, {
            f"{a['year']}/{a['period']}" for a in (response.json or [])
        } if response.status_code == 200 else set()

    def read_status(headers, key):
        return client.get(f"/appraisals/{x}/{key}", headers=headers).status_code

    other = employee_events.nip(40)
    return World(
        list_ids,
        read_status,
        {f"{YEAR}/ANNUAL", f"{YEAR + 1}/ANNUAL"},
        {
            "the employee": org.as_(x, "employee"),
            "current supervisor": org.as_(org.sup_b),
            "former appraiser": org.as_(org.sup_a),
            "unrelated supervisor": org.as_(org.superior),
            "another employee": org.as_(colleague, "employee"),
            **_role_callers(keys, other),
        },
        filters=True,
    )


def training_world(make_service, keys, employee_events) -> World:
    """Needs of two employees appraised by APPRAISER and of one appraised by someone else."""
    service = make_service("training")
    nips = [employee_events.nip(sequence) for sequence in (1, 2, 3)]
    other_appraiser = employee_events.nip(9, birth=employee_events.birth.replace(year=1970))
    service.deliver(
        training_finalized(
            appraisal_data(nips[0], appraisal_id="A-1", results="DI_BAWAH", below=("kompeten",))
        ),
        training_finalized(appraisal_data(nips[1], appraisal_id="A-2", below=("harmonis",))),
        training_finalized(
            appraisal_data(
                nips[2], appraisal_id="A-3", below=("loyal",), appraiser_nip=other_appraiser
            )
        ),
    )
    client = service.client
    admin = keys.headers("admin")
    every = client.get("/needs", query_string={"page_size": 500}, headers=admin).json

    def list_ids(headers):
        response = client.get("/needs", query_string={"page_size": 500}, headers=headers)
        ok = response.status_code == 200
        return response.status_code, {n["need_id"] for n in response.json} if ok else set()

    def read_status(headers, need_id):
        return client.get(f"/needs/{need_id}", headers=headers).status_code

    def person(nip, *roles):
        return keys.headers(*roles, subject=nip, nip=nip)

    return World(
        list_ids,
        read_status,
        {n["need_id"] for n in every},
        {
            "the employee": person(nips[0], "employee"),
            "their appraiser": person(APPRAISER, "supervisor", "employee"),
            "another appraiser": person(other_appraiser, "supervisor", "employee"),
            "unrelated supervisor": person(employee_events.nip(30), "supervisor"),
            **_role_callers(keys, employee_events.nip(41)),
        },
        filters=True,
    )


def awards_world(make_service, keys, employee_events) -> World:
    """A year's eligibility decisions of two employees."""
    service = make_service("awards")
    nips = [employee_events.nip(sequence) for sequence in (1, 2)]
    for nip in nips:
        service.apply(employee_events.appointed(employee_events.record(nip)))
    service.deliver(*(award_finalized(nip) for nip in nips))
    client = service.client

    def list_ids(headers):
        response = client.get("/eligibility/2024", headers=headers)
        ok = response.status_code == 200
        return response.status_code, {d["nip"] for d in response.json["items"]} if ok else set()

    def read_status(headers, nip):
        return client.get(f"/eligibility/2024/{nip}", headers=headers).status_code

    return World(
        list_ids,
        read_status,
        set(nips),
        {
            "the employee": keys.headers("employee", subject=nips[0], nip=nips[0]),
            **_role_callers(keys, employee_events.nip(42)),
        },
        filters=False,
    )


def roster_world(make_service, keys, employee_events) -> World:
    """Two employees on the roster."""
    service = make_service("recruitment")
    admin = keys.headers("admin")
    nips = [employee_events.nip(sequence) for sequence in (1, 2)]
    for nip in nips:
        body = {**employee_events.record(nip), "appointed_on": "2015-03-01"}
        assert service.client.post("/employees", json=body, headers=admin).status_code == 201
    client = service.client

    def list_ids(headers):
        response = client.get("/employees", headers=headers)
        ok = response.status_code == 200
        return response.status_code, {e["nip"] for e in response.json["items"]} if ok else set()

    def read_status(headers, nip):
        return client.get(f"/employees/{nip}", headers=headers).status_code

    return World(
        list_ids,
        read_status,
        set(nips),
        {
            "the employee": keys.headers("employee", subject=nips[0], nip=nips[0]),
            **_role_callers(keys, employee_events.nip(43)),
        },
        filters=False,
    )


def _role_callers(keys, nip: str) -> dict[str, dict[str, str]]:
    """Each role with no relation to the records (a NIP of its own), and nobody."""
    callers: dict[str, dict[str, Any]] = {
        role: keys.headers(role, subject=f"{role}-user", nip=nip)
        for role in ("admin", "recruiter", "committee", "officer", "supervisor", "employee")
    }
    callers["nobody"] = {}
    return callers


WORLDS = {
    "GET /appraisals?nip=": appraisal_world,
    "GET /needs": training_world,
    "GET /eligibility/{year}": awards_world,
    "GET /employees": roster_world,
}


@pytest.mark.parametrize("endpoint", sorted(WORLDS))
def test_a_list_shows_only_what_the_single_read_allows_to_each_caller(
    endpoint, make_service, keys, employee_events
):
    world = WORLDS[endpoint](make_service, keys, employee_events)
    assert world.ids, "the world has records to list"
    seen = {}
    for caller, headers in world.callers.items():
        status, listed = world.list_ids(headers)
        readable = {key for key in world.ids if world.read_status(headers, key) == 200}
        seen[caller] = (status, sorted(listed), sorted(readable))
        assert status in (200, 401, 403), (caller, status)
        assert listed <= readable, (endpoint, caller, listed - readable)
        if world.filters and readable:
            assert (status, listed) == (200, readable), (endpoint, caller)
    # The matrix is not vacuous: someone reads everything, someone is refused.
    assert any(listed == sorted(world.ids) for _s, listed, _r in seen.values()), seen
    assert any(status in (401, 403) for status, _l, _r in seen.values()), seen


def test_a_former_appraiser_lists_only_the_appraisals_they_made(
    make_service, keys, employee_events
):
    world = appraisal_world(make_service, keys, employee_events)
    former = world.callers["former appraiser"]
    assert world.list_ids(former) == (200, {f"{YEAR}/ANNUAL"})
    assert world.read_status(former, f"{YEAR + 1}/ANNUAL") == 403
