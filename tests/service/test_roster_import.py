"""CSV import of the existing staff: all rows or none, errors by row and field, one event a row."""

from __future__ import annotations

import pytest

from chassis.migrations import pending_changes
from contracts import validate_event
from services.recruitment import roster_import
from services.recruitment.app import SPEC
from tests.service.roster_support import HEADER, csv_row, csv_text, post_csv, stored_state


@pytest.fixture
def admin(keys):
    return keys.headers("admin")


def a_unit(employee_events):
    """A head (row 2) and two staff under them (rows 3, 4); the head listed last on purpose."""
    head = csv_row(employee_events, 1, position="Kepala Dinas", unit="DINKES")
    staff = [csv_row(employee_events, n, unit="DINKES", supervisor_nip=head["nip"]) for n in (2, 3)]
    return [*staff, head]


def test_a_valid_file_is_imported_with_one_appointed_event_per_row(
    recruitment, admin, employee_events
):
    rows = a_unit(employee_events)

    response = post_csv(recruitment, admin, csv_text(rows))

    assert response.status_code == 201, response.json
    assert response.json == {
        "rows": 3,
        "imported": 3,
        "events": 3,
        "dry_run": False,
        "by_status": {"PNS": 3},
        "units": 1,
    }
    stored = {row["nip"]: row for row in recruitment.rows("employees")}
    assert set(stored) == {row["nip"] for row in rows}
    assert stored[rows[0]["nip"]]["supervisor_nip"] == rows[2]["nip"]
    assert str(stored[rows[0]["nip"]]["appointed_on"]) == rows[0]["tmt_cpns"]
    events = recruitment.outbox_events()
    assert len(events) == 3
    for event in events:
        validate_event(event)
        assert event["type"] == "recruitment.employee.appointed"
        assert event["data"]["source"] == "import"
        assert event["data"]["unpaid_leave"] == []
    # Supervisors are published before their staff.
    assert events[0]["data"]["nip"] == rows[2]["nip"]
    assert {e["data"]["nip"] for e in events[1:]} == {rows[0]["nip"], rows[1]["nip"]}
    by_nip = {e["data"]["nip"]: e["data"] for e in events}
    expected = {**rows[0], "appointed_on": rows[0]["tmt_cpns"]}
    assert {k: by_nip[rows[0]["nip"]][k] for k in expected} == expected


def test_a_multipart_upload_and_the_optional_appointed_on_column(
    recruitment, admin, employee_events
):
    rows = [
        {**csv_row(employee_events, 1), "appointed_on": "2015-04-01"},
        {**csv_row(employee_events, 2), "appointed_on": ""},
    ]
    text = csv_text(rows, header=HEADER + ",appointed_on")

    response = post_csv(recruitment, admin, "\ufeff" + text, multipart=True)

    assert response.status_code == 201, response.json
    appointed = {r["nip"]: r["appointed_on"].isoformat() for r in recruitment.rows("employees")}
    assert appointed == {rows[0]["nip"]: "2015-04-01", rows[1]["nip"]: "2015-03-01"}


def test_supervisors_may_already_be_on_the_roster(recruitment, admin, employee_events):
    assert post_csv(recruitment, admin, csv_text([csv_row(employee_events, 1)])).status_code == 201
    staff = csv_row(employee_events, 2, supervisor_nip=employee_events.nip(1))

    response = post_csv(recruitment, admin, csv_text([staff]))

    assert response.status_code == 201, response.json
    assert recruitment.count("employees") == 2


def test_a_dry_run_checks_and_stores_nothing(recruitment, admin, employee_events):
    response = post_csv(recruitment, admin, csv_text(a_unit(employee_events)), dry_run=True)

    assert response.status_code == 200, response.json
    assert response.json["rows"] == 3
    assert response.json["imported"] == response.json["events"] == 0
    assert response.json["dry_run"] is True
    assert recruitment.count("employees") == recruitment.count("outbox") == 0


def test_a_dry_run_reports_the_same_errors(recruitment, admin, employee_events):
    rows = [csv_row(employee_events, 1, gender="X")]
    response = post_csv(recruitment, admin, csv_text(rows), dry_run=True)
    assert response.status_code == 422
    assert "gender" in response.json["errors"]["rows"]["2"]


def test_only_admins_import(recruitment, keys, employee_events):
    text = csv_text(a_unit(employee_events))
    assert post_csv(recruitment, {}, text).status_code == 401
    assert post_csv(recruitment, keys.headers("recruiter"), text).status_code == 403
    assert recruitment.count("employees") == recruitment.count("outbox") == 0


# -- refused rows: nothing is imported ------------------------------------------------------

NIP1 = "199001152015031001"


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"nip": "19900115201503100"}, "nip", "18 digits"),
        ({"nip": ""}, "nip", "Missing"),
        ({"nip": "199013152015031009"}, "nip", "birth date"),
        ({"birth_date": "1990-01-16"}, "birth_date", "1990-01-15"),
        ({"gender": "F"}, "gender", "is M"),
        ({"tmt_cpns": "2015-04-01"}, "tmt_cpns", "2015-03"),
        ({"gender": "L"}, "gender", "Must be one of"),
        ({"status": "HONORER"}, "status", "Must be one of"),
        ({"name": "  "}, "name", "blank"),
        ({"unit": "U" * 65}, "unit", "maximum length 64"),
        ({"position": "P" * 201}, "position", "maximum length 200"),
        ({"birth_date": "15-01-1990"}, "birth_date", "YYYY-MM-DD"),
        ({"tmt_cpns": "20150301"}, "tmt_cpns", "YYYY-MM-DD"),
        ({"tmt_cpns": "2015-02-30"}, "tmt_cpns", "YYYY-MM-DD"),
        ({"supervisor_nip": "123"}, "supervisor_nip", "18 digits"),
        ({"supervisor_nip": "198001012005011002"}, "supervisor_nip", "Neither on the roster"),
        ({"supervisor_nip": "SELF"}, "supervisor_nip", "own supervisor"),
    ],
)
def test_a_bad_row_is_named_by_row_and_field_and_nothing_is_imported(
    recruitment, admin, employee_events, change, field, reason
):
    rows = a_unit(employee_events)
    if change.get("supervisor_nip") == "SELF":
        change = {"supervisor_nip": rows[1]["nip"]}
    rows[1].update(change)  # row 3 of the file

    response = post_csv(recruitment, admin, csv_text(rows))

    assert response.status_code == 422, response.json
    assert response.json["message"].startswith("1 row(s) have errors; nothing was imported")
    assert list(response.json["errors"]["rows"]) == ["3"]
    reasons = response.json["errors"]["rows"]["3"][field]
    assert any(reason in text for text in reasons), reasons
    assert recruitment.count("employees") == recruitment.count("outbox") == 0


def test_a_pns_still_on_probation_is_refused(recruitment, admin, employee_events):
    recent = employee_events.nip(1, tmt=(2026, 11))
    row = csv_row(employee_events, 1, nip=recent, tmt_cpns="2026-11-01", status="PNS")
    response = post_csv(recruitment, admin, csv_text([row]))
    assert response.status_code == 422
    assert "probation" in response.json["errors"]["rows"]["2"]["status"][0]
    cpns = post_csv(recruitment, admin, csv_text([{**row, "status": "CPNS"}]))
    assert cpns.status_code == 201


def test_duplicates_in_the_file_and_against_the_roster(recruitment, admin, employee_events):
    first = csv_row(employee_events, 1)
    assert post_csv(recruitment, admin, csv_text([first])).status_code == 201
    before = stored_state(recruitment)
    second = csv_row(employee_events, 2)

    response = post_csv(recruitment, admin, csv_text([first, second, second]))

    assert response.status_code == 422
    errors = response.json["errors"]["rows"]
    assert errors == {
        "2": {"nip": ["Already on the roster."]},
        "4": {"nip": ["The same NIP is on row 3."]},
    }
    assert stored_state(recruitment) == before


def test_a_supervision_loop_across_the_file_is_refused(recruitment, admin, employee_events):
    nips = [employee_events.nip(n) for n in (1, 2, 3)]
    rows = [
        csv_row(employee_events, 1, supervisor_nip=nips[1]),
        csv_row(employee_events, 2, supervisor_nip=nips[2]),
        csv_row(employee_events, 3, supervisor_nip=nips[0]),
        csv_row(employee_events, 4, supervisor_nip=nips[0]),  # below the loop, not in it
    ]

    response = post_csv(recruitment, admin, csv_text(rows))

    assert response.status_code == 422
    errors = response.json["errors"]["rows"]
    assert set(errors) == {"2", "3", "4"}
    assert errors["2"] == {"supervisor_nip": ["Supervision loop (rows 2, 3, 4)."]}
    assert recruitment.count("employees") == recruitment.count("outbox") == 0


def test_a_row_with_the_wrong_number_of_columns(recruitment, admin, employee_events):
    rows = a_unit(employee_events)
    text = csv_text(rows) + "199001152015031009,Too,Short\n"

    response = post_csv(recruitment, admin, text)

    assert response.status_code == 422
    assert response.json["errors"]["rows"] == {"5": {"_row": ["Expected 9 columns, found 3."]}}
    assert recruitment.count("employees") == 0


def test_every_bad_row_is_reported_up_to_a_limit(recruitment, admin, employee_events, monkeypatch):
    monkeypatch.setattr(roster_import, "MAX_REPORTED_ROWS", 5)
    rows = [csv_row(employee_events, n, gender="X") for n in range(1, 13)]

    response = post_csv(recruitment, admin, csv_text(rows))

    assert response.status_code == 422
    assert "12 row(s) have errors" in response.json["message"]
    assert "first 5" in response.json["message"]
    assert list(response.json["errors"]["rows"]) == ["2", "3", "4", "5", "6"]


# -- malformed files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "name", "reason"),
    [
        (b"", "file", "empty"),
        (b" \n\n", "file", "empty"),
        (HEADER.encode() + b"\n", "file", "no rows"),
        (b"nip,name\n1,2\n", "header", "missing gender"),
        ((HEADER + ",nik").encode() + b"\n", "header", "unknown nik"),
        (b"name," + HEADER.encode() + b"\n", "header", "in this order"),
        (HEADER.encode() + b"\n\xff\xfe,x\n", "file", "not UTF-8"),
        (HEADER.encode() + b'\n"199001152015031001,unterminated\n', "file", "Line"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_problem(
    recruitment, admin, employee_events, payload, name, reason
):
    post_csv(recruitment, admin, csv_text([csv_row(employee_events, 1)]))
    before = stored_state(recruitment)

    response = post_csv(recruitment, admin, payload)

    assert response.status_code == 422, response.json
    reasons = response.json["errors"]["csv"][name]
    assert any(reason in text for text in reasons), reasons
    assert stored_state(recruitment) == before


def test_a_multipart_request_without_the_file_field(recruitment, admin):
    response = recruitment.client.post(
        "/employees/import",
        data={"other": "x"},
        headers=admin,
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "file" in response.json["errors"]["csv"]


# -- PostgreSQL --------------------------------------------------------------------------------


@pytest.mark.postgres
def test_the_import_on_postgres(make_service, postgres_url, admin, employee_events):
    service = make_service("recruitment", postgres_url)
    assert pending_changes(service.engine, SPEC.metadata) == []
    rows = a_unit(employee_events)
    bad = [*rows[:2], {**rows[2], "supervisor_nip": rows[0]["nip"]}]
    bad[0] = {**bad[0], "supervisor_nip": rows[2]["nip"]}

    refused = post_csv(service, admin, csv_text(bad))
    response = post_csv(service, admin, csv_text(rows))
    again = post_csv(service, admin, csv_text(rows))

    assert refused.status_code == 422, refused.json
    assert response.status_code == 201, response.json
    assert again.status_code == 422
    assert set(again.json["errors"]["rows"]) == {"2", "3", "4"}
    assert service.count("employees") == 3
    events = service.outbox_events()
    assert [e["data"]["source"] for e in events] == ["import"] * 3
    assert events[0]["data"]["nip"] == rows[2]["nip"]


def test_the_openapi_document_describes_the_csv_body(recruitment):
    spec = recruitment.client.get("/openapi.json").json
    operation = spec["paths"]["/employees/import"]["post"]
    assert set(operation["requestBody"]["content"]) == {"text/csv", "multipart/form-data"}
    assert [p["name"] for p in operation["parameters"]] == ["dry_run"]
    search = spec["paths"]["/employees"]["get"]
    assert {p["name"] for p in search["parameters"]} >= {"unit", "status", "q", "page_size"}
