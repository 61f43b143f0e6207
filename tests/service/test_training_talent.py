"""Talent mapping through HTTP: the predikat consumed, an assessment import, the nine-box map."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from chassis.migrations import pending_changes
from services.training import talent
from services.training.models_talent import AnnualPredikat
from tests.service.training_support import appraisal_data, finalized

HEADER = ",".join(talent.COLUMNS)


@pytest.fixture
def training(make_service):
    return make_service("training")


@pytest.fixture
def admin(keys):
    return keys.headers("admin")


@pytest.fixture
def staff(training, employee_events):
    """A head (1), a supervisor under them (2) and two staff under the supervisor (3, 4)."""
    nips = [employee_events.nip(i) for i in range(1, 6)]
    bosses = [None, nips[0], nips[1], nips[1], None]
    for nip, boss in zip(nips, bosses, strict=True):
        record = employee_events.record(nip, supervisor_nip=boss)
        training.apply(employee_events.appointed(record))
    return nips


def rate(training, nip, year, results, behaviour, number):
    data = appraisal_data(
        nip,
        appraisal_id=f"APR-{year}-{number:06d}",
        year=year,
        results=results,
        behaviour=behaviour,
    )
    assert training.deliver(finalized(data)) == ["ack"]


def upload(training, headers, text):
    return training.client.post(
        "/talent/assessments/import",
        data=text if isinstance(text, bytes) else text.encode(),
        headers=headers,
        content_type="text/csv",
    )


def test_migrations_match_the_models_on_sqlite(training):
    assert pending_changes(training.engine, training.spec.metadata) == []


def test_two_years_and_an_assessment_place_an_employee_and_show_the_movement(
    training, admin, staff
):
    nip = staff[2]
    rate(training, nip, 2024, "SESUAI", "SESUAI", 1)  # BAIK
    rate(training, nip, 2025, "DI_ATAS", "DI_ATAS", 2)  # SANGAT_BAIK
    assert training.count("training_needs") == 0  # the existing handler still ran (BAIK: none)
    csv = f"{HEADER}\n{nip},2024-11-02,3.5,3.2,91,S1,8,GOOD\n"
    response = upload(training, admin, csv)
    assert response.status_code == 201, response.json
    assert response.json == {"imported": 1, "by_potential": {"LOW": 0, "MEDIUM": 0, "HIGH": 1}}

    box = training.client.get(f"/talent/map/2025/{nip}", headers=admin)
    assert box.status_code == 200, box.json
    assert (box.json["performance"], box.json["potential"], box.json["box"]) == (
        "ABOVE",
        "HIGH",
        9,
    )
    assert box.json["label"] == "Kinerja di atas ekspektasi dan potensial tinggi"
    assert (box.json["previous_box"], box.json["movement"]) == (7, "UP")
    assert box.json["predikat"] == ["SANGAT_BAIK", "BAIK"]

    page = training.client.get("/talent/map/2025", headers=admin, query_string={"unit": "BKD"})
    assert [r["nip"] for r in page.json] == [nip]
    summary = training.client.get("/talent/map/2025/summary", headers=admin).json
    assert summary["province"]["employees"] == 1
    assert [b["employees"] for b in summary["province"]["boxes"]] == [0] * 8 + [1]
    assert summary["units"][0]["unit"] == "BKD"


def test_a_csv_with_errors_imports_nothing_and_names_the_rows(training, admin, staff):
    csv = (
        f"{HEADER}\n"
        f"{staff[0]},2024-11-02,3.5,3.2,91,S1,8,GOOD\n"
        f"{staff[1]},2024-13-02,6,3.2,101,SD,-1,BAD\n"
        f"{staff[0]},2024-11-02,3,3,80,S2,8,GOOD\n"
        "199001152015031999,2024-11-02,3,3,80,S2,8,GOOD\n"
        "x,y\n"
    )
    response = upload(training, admin, csv)
    assert response.status_code == 422
    rows = response.json["errors"]["csv"]["rows"]
    assert set(rows) == {"3", "4", "5", "6"}
    assert set(rows["3"]) == {
        "assessed_on",
        "managerial",
        "job_match",
        "education",
        "experience_years",
        "track_record",
    }
    assert "row 2" in rows["4"]["nip"][0]
    assert "nip" in rows["5"] and "row" in rows["6"]
    assert training.count("assessments") == 0


@pytest.mark.parametrize(
    "body",
    ["", "nip,score\n1,2\n", f"{HEADER}\n", HEADER.encode() + b"\n\xff,1\n"],
)
def test_an_unreadable_file_is_a_422_naming_the_csv(training, admin, body):
    response = upload(training, admin, body)
    assert response.status_code == 422
    assert "csv" in response.json["errors"]


def test_who_sees_a_box(training, admin, staff, keys):
    """Admins and the supervision chain (direct or higher); not the employee, not a colleague."""
    rate(training, staff[3], 2025, "SESUAI", "SESUAI", 1)
    upload(training, admin, f"{HEADER}\n{staff[3]},2025-01-02,3,3,70,S1,8,GOOD\n")
    path = f"/talent/map/2025/{staff[3]}"
    allowed = {
        "admin": keys.headers("admin"),
        "direct supervisor": keys.headers("supervisor", "employee", nip=staff[1]),
        "head above": keys.headers("supervisor", "employee", nip=staff[0]),
    }
    refused = {
        "the employee": keys.headers("employee", nip=staff[3]),
        "a colleague": keys.headers("employee", nip=staff[2]),
        "another supervisor": keys.headers("supervisor", "employee", nip=staff[4]),
        "a supervisor without nip": keys.headers("supervisor"),
    }
    for who, headers in allowed.items():
        response = training.client.get(path, headers=headers)
        assert response.status_code == 200, who
        assert response.json["box"] == 3, who  # BAIK + low potential
    for who, headers in refused.items():
        assert training.client.get(path, headers=headers).status_code == 403, who
    assert training.client.get(path, headers=keys.headers("recruiter")).status_code == 403
    for route in (
        "/talent/map/2025",
        "/talent/map/2025/summary",
        f"/talent/assessments/{staff[3]}",
    ):
        assert training.client.get(route, headers=allowed["direct supervisor"]).status_code == 403
        assert training.client.get(route, headers=admin).status_code == 200, route
    assert upload(training, refused["the employee"], HEADER).status_code == 403


def test_bad_paths_and_unplaced_employees(training, admin, staff):
    assert training.client.get("/talent/map/1800", headers=admin).status_code == 422
    assert training.client.get("/talent/map/2025/123", headers=admin).status_code == 422
    assert training.client.get(f"/talent/map/2025/{staff[0]}", headers=admin).status_code == 404
    assert training.client.get(f"/talent/assessments/{staff[0]}", headers=admin).status_code == 404


def test_the_route_role_relationship_matrix(training, admin, staff, keys):
    """Every career-development route against every caller: who gets in (2xx/4xx past the
    door) and who is refused (401 without a token, 403 by role or relationship)."""
    subject = staff[3]
    rate(training, subject, 2025, "SESUAI", "SESUAI", 1)
    upload(training, admin, f"{HEADER}\n{subject},2025-01-02,3,3,70,S1,8,GOOD\n")
    callers = {
        "admin": admin,
        "chain": keys.headers("supervisor", "employee", nip=staff[1]),
        "other supervisor": keys.headers("supervisor", "employee", nip=staff[4]),
        "self": keys.headers("employee", nip=subject),
        "colleague": keys.headers("employee", nip=staff[2]),
        "recruiter": keys.headers("recruiter"),
        "anonymous": {},
    }
    admin_only = {"admin"}
    routes = [
        ("GET", f"/talent/map/2025/{subject}", {"admin", "chain"}),
        ("GET", "/talent/map/2025", admin_only),
        ("GET", "/talent/map/2025/summary", admin_only),
        ("GET", f"/talent/assessments/{subject}", admin_only),
        ("POST", "/talent/assessments/import", admin_only),
        ("GET", "/critical-positions", admin_only),
        ("POST", "/critical-positions", admin_only),
        ("GET", "/critical-positions/CRP-X", admin_only),
        ("POST", "/critical-positions/CRP-X/candidates", admin_only),
        ("PUT", "/critical-positions/CRP-X/successors", admin_only),
        ("POST", "/development-plans", admin_only),
        ("POST", "/development-plans/IDP-X/actions", admin_only),
        ("POST", "/development-plans/IDP-X/actions/ACT-X/done", admin_only),
    ]
    for method, path, allowed in routes:
        for who, headers in callers.items():
            status = training.client.open(path, method=method, json={}, headers=headers).status_code
            if who == "anonymous":
                assert status == 401, (method, path, who, status)
            elif who in allowed:
                assert status not in (401, 403), (method, path, who, status)
            else:
                assert status == 403, (method, path, who, status)


@pytest.mark.postgres
def test_the_map_on_postgres(make_service, postgres_url, keys, employee_events):
    """The migration on PostgreSQL: the predikat, an import and a placement."""
    service = make_service("training", postgres_url)
    assert pending_changes(service.engine, service.spec.metadata) == []
    nip = employee_events.nip(1)
    service.apply(employee_events.appointed(employee_events.record(nip)))
    rate(service, nip, 2025, "SESUAI", "SESUAI", 1)
    headers = keys.headers("admin")
    assert (
        upload(service, headers, f"{HEADER}\n{nip},2025-01-02,3,3,95,S1,8,GOOD\n").status_code
        == 201
    )
    box = service.client.get(f"/talent/map/2025/{nip}", headers=headers).json
    assert (box["box"], box["movement"]) == (7, "NEW")


def test_the_newest_finalization_is_kept_in_a_batch_and_against_a_late_older_one(training, staff):
    nip, now = staff[2], datetime.now(UTC)

    def at(minutes: int, predikat_id: str, results: str) -> dict:
        data = appraisal_data(nip, appraisal_id=predikat_id, year=2024, results=results)
        return {**data, "finalized_at": (now + timedelta(minutes=minutes)).isoformat()}

    # Two finalizations of one year in one batch: the later one wins whatever the order.
    newer, older = finalized(at(10, "APR-NEW", "DI_ATAS")), finalized(at(5, "APR-OLD", "SESUAI"))
    assert training.deliver(newer, older) == ["ack", "ack"]
    # An older one redelivered late does not overwrite it either.
    assert training.deliver(finalized(at(1, "APR-LATE", "DI_BAWAH"))) == ["ack"]
    with training.engine.connect() as connection:
        kept = connection.execute(select(AnnualPredikat.__table__)).mappings().all()
    assert [(row["appraisal_id"], row["year"]) for row in kept] == [("APR-NEW", 2024)]
