"""Appraisal service: an employee's objection, decided by the appraiser's own superior."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from contracts import validate_event
from services.appraisal.models import Appraisal
from tests.service.appraisal_support import SEVEN_SB, YEAR, build, rate_unit, rating_body


@pytest.fixture
def service(make_service):
    return make_service("appraisal")


@pytest.fixture
def org(service, keys, employee_events):
    org = build(service, keys, employee_events)
    org.set_unit_rating("BKD", "ISTIMEWA")
    rate_unit(org, SEVEN_SB)
    assert org.finalize("BKD").status_code == 200
    org.objector = org.staff_a[9]  # rated BAIK
    return org


def file(org, nip=None, headers=None, reason="Target saya tercapai 110%."):
    nip = nip or org.objector
    headers = headers or org.as_(nip, "employee")
    url = f"/appraisals/{nip}/{YEAR}/ANNUAL/objection"
    return org.call("POST", url, headers, {"reason": reason})


def decide(org, objection_id, by, **body):
    url = f"/objections/{objection_id}/decision"
    return org.call("POST", url, org.as_(by), {"reason": "Bukti kinerja cukup.", **body})


UPHOLD = {
    "upheld": True,
    "results_rating": "DI_ATAS",
    "behaviour_rating": "DI_ATAS",
    "behaviour_values": rating_body("SANGAT_BAIK")["behaviour_values"],
}


def test_an_upheld_objection_changes_the_predikat_and_publishes_a_re_decision(org, service):
    before = len(service.outbox_events())
    filed = file(org)
    assert filed.status_code == 201, filed.json
    assert (filed.json["status"], filed.json["previous_predikat"]) == ("PENDING", "BAIK")

    decided = decide(org, filed.json["id"], org.superior, **UPHOLD)

    assert decided.status_code == 200, decided.json
    assert (decided.json["status"], decided.json["new_predikat"]) == ("UPHELD", "SANGAT_BAIK")
    assert decided.json["decided_by"] == org.superior
    appraisal = org.call("GET", f"/appraisals/{org.objector}/{YEAR}/ANNUAL", org.admin).json
    assert (appraisal["predikat"], appraisal["revision"], appraisal["status"]) == (
        "SANGAT_BAIK",
        2,
        "FINALIZED",
    )
    events = service.outbox_events()
    assert len(events) == before + 1
    validate_event(events[-1])
    data = events[-1]["data"]
    assert data["appraisal_id"] == f"{org.objector}-{YEAR}-ANNUAL"
    assert (data["predikat"], data["unit_rating"], data["appraiser_nip"]) == (
        "SANGAT_BAIK",
        "ISTIMEWA",
        org.sup_a,
    )
    first = next(e for e in events if e["data"]["appraisal_id"] == data["appraisal_id"])
    assert data["finalized_at"] > first["data"]["finalized_at"]  # newest wins downstream


def test_a_rejected_objection_changes_nothing_and_publishes_nothing(org, service):
    before = service.outbox_events()
    filed = file(org)
    decided = decide(org, filed.json["id"], org.superior, upheld=False)
    assert decided.json["status"] == "REJECTED" and decided.json["new_predikat"] is None
    appraisal = org.call("GET", f"/appraisals/{org.objector}/{YEAR}/ANNUAL", org.admin).json
    assert (appraisal["predikat"], appraisal["revision"]) == ("BAIK", 1)
    assert service.outbox_events() == before
    again = decide(org, filed.json["id"], org.superior, **UPHOLD)
    assert again.status_code == 409


@pytest.mark.parametrize("who", ["appraiser", "head", "other_supervisor", "admin"])
def test_only_the_appraisers_own_superior_decides(org, service, who):
    filed = file(org)
    by = {"appraiser": org.sup_a, "head": org.head, "other_supervisor": org.sup_b}.get(who)
    if who == "admin":
        url = f"/objections/{filed.json['id']}/decision"
        response = org.call("POST", url, org.admin, {"reason": "x", **UPHOLD})
    else:
        response = decide(org, filed.json["id"], by, **UPHOLD)
    assert response.status_code == 403
    [row] = service.rows("objections")
    assert row["status"] == "PENDING"


def test_upholding_needs_the_new_ratings(org, service):
    filed = file(org)
    response = decide(org, filed.json["id"], org.superior, upheld=True)
    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {"results_rating", "behaviour_rating"}
    assert service.rows("objections")[0]["status"] == "PENDING"


def test_only_the_employee_objects_once_within_fourteen_days(org, service):
    colleague = org.as_(org.staff_a[0], "employee")
    assert file(org, headers=colleague).status_code == 403
    assert file(org, headers=org.as_(org.sup_a)).status_code == 403
    assert file(org, reason="  ").status_code == 422
    assert service.count("objections") == 0
    assert file(org).status_code == 201
    assert file(org).status_code == 409
    assert service.count("objections") == 1


def test_an_objection_after_the_window_is_refused(org, service):
    with service.engine.begin() as connection:
        connection.execute(
            update(Appraisal).values(finalized_at=datetime.now(UTC) - timedelta(days=14, minutes=1))
        )
    response = file(org)
    assert response.status_code == 409
    assert "14 days" in response.json["message"]
    assert service.count("objections") == 0


def test_a_rating_not_yet_finalized_cannot_be_objected_to(service, keys, employee_events):
    org = build(service, keys, employee_events, staff=1)
    nip = org.staff_a[0]
    org.plan_and_rate(nip, org.sup_a, "BAIK")
    assert file(org, nip=nip).status_code == 409
    assert service.count("objections") == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [("self", 200), ("appraiser", 200), ("superior", 200), ("admin", 200), ("colleague", 403)],
)
def test_who_reads_an_objection(org, who, status):
    filed = file(org)
    headers = {
        "self": org.as_(org.objector, "employee"),
        "appraiser": org.as_(org.sup_a),
        "superior": org.as_(org.superior),
        "admin": org.admin,
        "colleague": org.as_(org.staff_a[0], "employee"),
    }[who]
    response = org.call("GET", f"/objections/{filed.json['id']}", headers)
    assert response.status_code == status


def test_the_employee_lists_their_objections_and_the_superior_those_to_decide(org):
    filed = file(org)
    assert filed.status_code == 201, filed.json

    mine = org.call("GET", "/objections", org.as_(org.objector, "employee"))
    to_decide = org.call("GET", "/objections?scope=decide", org.as_(org.superior))
    appraiser = org.call("GET", "/objections?scope=decide", org.as_(org.sup_a))
    colleague = org.call("GET", "/objections", org.as_(org.staff_a[0], "employee"))
    bad = org.call("GET", "/objections?scope=all", org.as_(org.superior))

    assert [o["id"] for o in mine.json] == [filed.json["id"]]
    assert [o["id"] for o in to_decide.json] == [filed.json["id"]]
    assert appraiser.json == [] and colleague.json == []
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("self", 200),
        ("appraiser", 200),
        ("superior", 200),
        ("admin", 200),
        ("colleague", 403),
        ("other_supervisor", 403),
    ],
)
def test_one_employees_objections_for_the_readers_of_their_appraisals(org, who, status):
    filed = file(org)
    assert filed.status_code == 201, filed.json
    headers = {
        "self": org.as_(org.objector, "employee"),
        "appraiser": org.as_(org.sup_a),
        "superior": org.as_(org.superior),
        "admin": org.admin,
        "colleague": org.as_(org.staff_a[0], "employee"),
        "other_supervisor": org.as_(org.sup_b),
    }[who]

    response = org.call("GET", f"/objections?scope=employee&nip={org.objector}", headers)

    assert response.status_code == status, response.json
    if status == 200:
        assert [o["id"] for o in response.json] == [filed.json["id"]]
        assert response.json[0]["previous_predikat"] == "BAIK"


def test_an_employee_without_objections_lists_none_and_the_nip_is_checked(org):
    clean = org.call("GET", f"/objections?scope=employee&nip={org.staff_a[0]}", org.admin)
    no_nip = org.call("GET", "/objections?scope=employee", org.admin)
    stray_nip = org.call("GET", f"/objections?scope=mine&nip={org.staff_a[0]}", org.admin)
    bad_nip = org.call("GET", "/objections?scope=employee&nip=123", org.admin)

    assert (clean.status_code, clean.json) == (200, [])
    assert (no_nip.status_code, stray_nip.status_code, bad_nip.status_code) == (422, 422, 422)


def test_one_employees_objections_list_only_what_each_single_read_allows(
    org, service, employee_events
):
    filed = file(org)
    assert filed.status_code == 201, filed.json
    # Moved under sup_b after the objection: the new supervisor reads, the appraiser still does.
    record = employee_events.record(
        org.objector, unit="BKD", supervisor_nip=org.sup_b, name="Staf 9"
    )
    service.apply(employee_events.updated(record, ["supervisor_nip"]))
    callers = {
        "self": org.as_(org.objector, "employee"),
        "former appraiser": org.as_(org.sup_a),
        "new supervisor": org.as_(org.sup_b),
        "appraiser's superior": org.as_(org.superior),
        "admin": org.admin,
        "colleague": org.as_(org.staff_a[0], "employee"),
        "unrelated supervisor": org.as_(org.staff_b[0]),
    }
    outcome = {}
    for caller, headers in callers.items():
        listed = org.call("GET", f"/objections?scope=employee&nip={org.objector}", headers)
        single = org.call("GET", f"/objections/{filed.json['id']}", headers).status_code
        ids = [o["id"] for o in listed.json] if listed.status_code == 200 else []
        outcome[caller] = (listed.status_code, ids, single)
        assert ids == ([filed.json["id"]] if single == 200 else []), (caller, outcome[caller])

    assert outcome["colleague"][0] == outcome["unrelated supervisor"][0] == 403
    assert outcome["new supervisor"][:2] == (200, [filed.json["id"]])
    assert outcome["former appraiser"][:2] == (200, [filed.json["id"]])
