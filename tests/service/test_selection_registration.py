"""Formations and registration: checks, duplicates, the private NIK and the one-time secret."""

from __future__ import annotations

import hashlib

import pytest

from tests.service.selection_support import applicant, formation_body


def test_a_formation_is_created_listed_and_read(selection):
    created = selection.formation(quota=3, category="DISABILITY")
    assert created["code"] == "2024-DINKES-0001" and created["announced_at"] is None

    listed = selection.call("get", "/formations", role="recruiter", query_string={"year": 2024})
    assert [f["code"] for f in listed.json["items"]] == ["2024-DINKES-0001"]
    read = selection.call("get", f"/formations/{created['id']}")
    assert read.json == created


@pytest.mark.parametrize(
    ("field", "value"),
    [("quota", 0), ("category", "VETERAN"), ("year", "2024x"), ("unit", " ")],
)
def test_a_bad_formation_is_refused_naming_the_field(selection, recruitment, field, value):
    response = selection.call("post", "/formations", json=formation_body(**{field: value}))
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]
    assert recruitment.count("formations") == 0


def test_a_formation_code_is_unique(selection, recruitment):
    selection.formation()
    response = selection.call("post", "/formations", json=formation_body())
    assert response.status_code == 409
    assert recruitment.count("formations") == 1


def test_only_admins_and_recruiters_manage_formations(selection, recruitment, keys):
    for headers in ({}, keys.headers("employee")):
        response = recruitment.client.post("/formations", json=formation_body(), headers=headers)
        assert response.status_code in (401, 403)
    assert recruitment.count("formations") == 0


def test_registration_returns_the_secret_once_and_keeps_only_its_hash(selection, recruitment):
    fid = selection.formation()["id"]
    body = applicant(1)

    response = selection.register(fid, 1)

    assert response.status_code == 201, response.json
    secret = response.json["appeal_secret"]
    assert len(secret) >= 24
    assert "nik" not in response.json
    assert response.json["nik_masked"] == body["nik"][:4] + "*" * 12
    [row] = recruitment.rows("applications")
    assert row["nik"] == body["nik"]
    assert row["appeal_secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert row["verification"] == "PENDING" and row["year"] == 2024
    read = selection.call("get", "/applications/REG-00001", role="recruiter")
    assert "appeal_secret" not in read.json and body["nik"] not in read.text
    listed = selection.call("get", f"/formations/{fid}/applications")
    assert [a["registration_number"] for a in listed.json["items"]] == ["REG-00001"]
    assert body["nik"] not in listed.text and secret not in listed.text


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"nik": "12345"}, "nik"),
        ({"nik": "8201019913950001"}, "nik"),  # month 13
        ({"nik": "8201010101950000"}, "nik"),  # sequence 0000
        ({"gender": "M"}, "gender"),  # applicant 1 is a woman per her NIK
        ({"birth_date": "1990-06-01"}, "birth_date"),
        ({"gpa": 4.5}, "gpa"),
        ({"gpa": 3.555}, "gpa"),
        ({"name": ""}, "name"),
    ],
)
def test_a_bad_registration_is_refused_and_stores_nothing(selection, recruitment, overrides, field):
    fid = selection.formation()["id"]

    response = selection.register(fid, 1, **overrides)

    assert response.status_code == 422, response.json
    assert field in response.json["errors"]["json"]
    assert recruitment.count("applications") == 0
    assert applicant(1)["nik"] not in response.text


def test_a_registration_number_is_registered_once(selection, recruitment):
    fid = selection.formation()["id"]
    assert selection.register(fid, 1).status_code == 201
    before = recruitment.rows("applications")

    response = selection.register(fid, 2, registration_number="REG-00001")

    assert response.status_code == 409
    assert recruitment.rows("applications") == before


def test_one_application_per_person_per_year(selection, recruitment):
    first = selection.formation()["id"]
    second = selection.formation("2024-BKD-0001", unit="BKD")["id"]
    later = selection.formation("2025-DINKES-0001", year=2025)["id"]
    assert selection.register(first, 1).status_code == 201
    before = recruitment.rows("applications")

    response = selection.register(second, 1, registration_number="REG-99999")

    assert response.status_code == 409
    assert applicant(1)["nik"] not in response.text
    assert recruitment.rows("applications") == before
    # Next year the same person may apply again.
    assert selection.register(later, 1, registration_number="REG-2025-1").status_code == 201


def test_registration_for_an_unknown_formation_is_404(selection, recruitment):
    assert selection.register(999, 1).status_code == 404
    assert recruitment.count("applications") == 0
