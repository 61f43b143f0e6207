"""Critical positions and succession through HTTP: pools from the map, successors, drop-outs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from chassis.bus import Event
from contracts import validate_event
from services.training import talent
from tests.service.training_support import appraisal_data, finalized

HEADER = ",".join(talent.COLUMNS)


@pytest.fixture
def training(make_service):
    return make_service("training")


@pytest.fixture
def admin(keys):
    return keys.headers("admin")


def event(event_type: str, source: str, data: dict) -> Event:
    made = Event(
        type=event_type,
        data=data,
        source=source,
        correlation_id=uuid.uuid4().hex,
        occurred_at=datetime.now(UTC).isoformat(timespec="microseconds"),
    )
    validate_event(made.to_dict())
    return made


@pytest.fixture
def talents(training, admin, employee_events):
    """Three employees in box 9 (match 95, 92, 91) and one in box 5."""
    nips = [employee_events.nip(i) for i in range(1, 5)]
    rows = []
    for i, nip in enumerate(nips):
        training.apply(employee_events.appointed(employee_events.record(nip)))
        top = i < 3
        data = appraisal_data(
            nip,
            appraisal_id=f"APR-2025-{i:06d}",
            year=2025,
            results="DI_ATAS" if top else "SESUAI",
            behaviour="DI_ATAS" if top else "SESUAI",
        )
        assert training.deliver(finalized(data)) == ["ack"]
        rows.append(f"{nip},2025-01-10,4,4,{[95, 92, 91, 80][i]},S1,5,GOOD")
    response = training.client.post(
        "/talent/assessments/import",
        data="\n".join([HEADER, *rows]).encode(),
        headers=admin,
        content_type="text/csv",
    )
    assert response.status_code == 201, response.json
    return nips


def test_pool_successors_and_drop_outs(training, admin, talents):
    created = training.client.post(
        "/critical-positions",
        json={"title": "Kepala Bidang Mutasi", "unit": "BKD"},
        headers=admin,
    )
    assert created.status_code == 201, created.json
    pid = created.json["position_id"]
    base = f"/critical-positions/{pid}"
    for nip, readiness in zip(talents[:3], ("LATER", "NOW", "ONE_TO_TWO_YEARS"), strict=True):
        added = training.client.post(
            f"{base}/candidates",
            json={"nip": nip, "year": 2025, "readiness": readiness},
            headers=admin,
        )
        assert added.status_code == 201, added.json
        assert added.json["box"] == 9
    low = training.client.post(
        f"{base}/candidates",
        json={"nip": talents[3], "year": 2025, "readiness": "NOW"},
        headers=admin,
    )
    assert low.status_code == 409 and low.json["errors"]["box"] == 5
    again = training.client.post(
        f"{base}/candidates",
        json={"nip": talents[0], "year": 2025, "readiness": "NOW"},
        headers=admin,
    )
    assert again.status_code == 409

    view = training.client.get(base, headers=admin).json
    assert [c["nip"] for c in view["pool"]] == [talents[1], talents[2], talents[0]]  # readiness
    assert view["pool"][0]["competency_match"] == 92

    chosen = training.client.put(
        f"{base}/successors", json={"nips": [talents[1], talents[0]]}, headers=admin
    )
    assert chosen.status_code == 200, chosen.json
    assert [(c["nip"], c["successor_rank"]) for c in chosen.json["successors"]] == [
        (talents[1], 1),
        (talents[0], 2),
    ]

    sanction = {
        "sanction_id": "HD-2026-0001",
        "nip": talents[1],
        "level": "SEDANG",
        "kind": "Pemotongan tunjangan kinerja",
        "decided_on": "2026-02-01",
        "effective_from": "2026-02-01",
        "effective_until": None,
        "regulation": "PP 94/2021",
    }
    assert training.deliver(event("recruitment.employee.sanctioned", "recruitment", sanction)) == [
        "ack"
    ]
    complaint = {
        "tracking_number": "LPR-2026-000001",
        "nip": talents[2],
        "unit": "BKD",
        "substantiated_on": "2026-02-03",
        "incident_date": None,
        "category": "Pungutan di luar ketentuan",
    }
    assert training.deliver(event("feedback.complaint.substantiated", "feedback", complaint)) == [
        "ack"
    ]
    view = training.client.get(base, headers=admin).json
    dropped = {c["nip"]: c for c in view["pool"] if c["status"] == "DROPPED"}
    assert set(dropped) == {talents[1], talents[2]}
    assert "HD-2026-0001" in dropped[talents[1]]["dropped_reason"]
    assert "LPR-2026-000001" in dropped[talents[2]]["dropped_reason"]
    assert [c["nip"] for c in view["successors"]] == [talents[0]]
    refused = training.client.put(f"{base}/successors", json={"nips": [talents[1]]}, headers=admin)
    assert refused.status_code == 409
    assert refused.json["errors"]["not_in_active_pool"] == [talents[1]]


def test_bad_input_and_roles(training, admin, keys, talents):
    assert (
        training.client.post("/critical-positions", json={"unit": "BKD"}, headers=admin).status_code
        == 422
    )
    pid = training.client.post(
        "/critical-positions", json={"title": "Sekretaris", "unit": "BKD"}, headers=admin
    ).json["position_id"]
    bad = training.client.post(
        f"/critical-positions/{pid}/candidates",
        json={"nip": "1", "year": 2025, "readiness": "SOON"},
        headers=admin,
    )
    assert bad.status_code == 422 and {"nip", "readiness"} <= set(bad.json["errors"]["json"])
    missing = training.client.post(
        "/critical-positions/CRP-NONE/candidates",
        json={"nip": talents[0], "year": 2025, "readiness": "NOW"},
        headers=admin,
    )
    assert missing.status_code == 404
    assert (
        training.client.put(
            f"/critical-positions/{pid}/successors", json={"nips": [talents[0]] * 2}, headers=admin
        ).status_code
        == 422
    )
    for roles in (("supervisor",), ("employee",), ("recruiter",)):
        headers = keys.headers(*roles, nip=talents[0])
        assert training.client.get("/critical-positions", headers=headers).status_code == 403
        assert training.client.get(f"/critical-positions/{pid}", headers=headers).status_code == 403
