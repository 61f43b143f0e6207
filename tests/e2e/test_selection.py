"""The CPNS selection end to end through the gateway, every process started for real:
formations, registration, verification, SKD and SKB uploads, ranking, announcement, the public
list, an accepted appeal that changes the ranking, optimisation of an empty post, appointment,
and the appointed employees in the four consumers' projections."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from .conftest import Platform, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.broker, pytest.mark.slow]

CONSUMERS = ("appraisal", "training", "awards", "feedback")
YEAR = 2024
POST = {"year": YEAR, "position": "Perawat Ahli Pertama", "education": "S1 Keperawatan"}
# (registration number, NIK, name, birth date, gender)
APPLICANTS = {
    "E2E-0001": ("8201014503970001", "Nurul Huda", "1997-03-05", "F"),
    "E2E-0002": ("8201011208960002", "Rizal Tuasikal", "1996-08-12", "M"),
    "E2E-0003": ("8201016101980003", "Fatma Sangaji", "1998-01-21", "F"),
    "E2E-0004": ("8201010305950004", "Ahmad Djafar", "1995-05-03", "M"),
}
SKD = "registration_number,twk,tiu,tkp\nE2E-0001,100,100,180\nE2E-0002,90,95,170\n" \
      "E2E-0003,100,100,180\nE2E-0004,50,100,180\n"  # fmt: skip
SKB = "registration_number,skb\nE2E-0001,80\nE2E-0002,70\nE2E-0003,60\nE2E-0004,90\n"


def api(platform: Platform, path: str) -> str:
    return f"{platform.gateway}/api/v1/recruitment{path}"


def ok(result, status: int = 200):
    code, body, _ = result
    assert code == status, body
    return body


def upload(platform: Platform, headers: dict, kind: str, csv_text: str) -> dict:
    response = platform.http.request(
        "POST",
        api(platform, f"/selection/{YEAR}/{kind}-scores"),
        body=csv_text.encode(),
        headers={**headers, "Content-Type": "text/csv"},
    )
    assert response.status == 200, response.data
    return response.json()


def close_appeal_windows(platform: Platform) -> None:
    """Move the announcements four days back: the appeal windows close (no waiting 3 days)."""
    engine = create_engine(f"sqlite:///{Path(platform.env['SOFIFI_VAR_DIR']) / 'recruitment'}.db")
    past = (datetime.now(UTC) - timedelta(days=4)).replace(tzinfo=None)
    with engine.begin() as connection:
        connection.execute(text("UPDATE formations SET announced_at = :at"), {"at": past})
    engine.dispose()


def test_the_selection_from_formation_to_the_projections(platform: Platform):
    admin = platform.keys.headers("admin", subject="bkd-admin")
    recruiter = platform.keys.headers("recruiter", subject="bkd-recruiter")
    dinkes = ok(platform.call("POST", api(platform, "/formations"),
                {**POST, "code": "2024-DINKES-E2E", "unit": "DINKES", "category": "GENERAL",
                 "quota": 1}, recruiter), 201)  # fmt: skip
    rsud = ok(platform.call("POST", api(platform, "/formations"),
              {**POST, "code": "2024-RSUD-E2E", "unit": "RSUD", "category": "GENERAL",
               "quota": 2}, recruiter), 201)  # fmt: skip
    secrets = {}
    for number, (nik, name, birth, gender) in APPLICANTS.items():
        formation = dinkes if number in ("E2E-0001", "E2E-0002") else rsud
        body = {"registration_number": number, "nik": nik, "name": name, "birth_date": birth,
                "gender": gender, "education": "S1 Keperawatan", "gpa": 3.4}  # fmt: skip
        created = ok(platform.call(
            "POST", api(platform, f"/formations/{formation['id']}/applications"), body, recruiter
        ), 201)  # fmt: skip
        assert nik not in str(created)
        secrets[number] = created["appeal_secret"]
        ok(platform.call("PUT", api(platform, f"/applications/{number}/verification"),
                         {"verification": "MS"}, recruiter))  # fmt: skip
    assert upload(platform, recruiter, "skd", SKD)["changed"] == 4
    assert upload(platform, recruiter, "skb", SKB)["changed"] == 4
    ok(platform.call("POST", api(platform, f"/selection/{YEAR}/rank"), headers=recruiter))
    for formation in (dinkes, rsud):
        ok(platform.call("POST", api(platform, f"/formations/{formation['id']}/announce"),
                         headers=admin))  # fmt: skip

    # The public list, without a token: E2E-0001 first; no NIK anywhere.
    response = platform.http.request(
        "GET", api(platform, f"/formations/{dinkes['id']}/announcement")
    )
    assert response.status == 200
    for nik, *_ in APPLICANTS.values():
        assert nik not in response.data.decode()
    results = response.json()["items"]
    assert [(r["registration_number"], r["outcome"]) for r in results] == [
        ("E2E-0001", "SELECTED"), ("E2E-0002", "NOT_SELECTED"),
    ]  # fmt: skip

    # E2E-0002 appeals: the SKB was mis-entered; accepted, the ranking turns over.
    ok(platform.call("POST", api(platform, "/appeals"),
                     {"registration_number": "E2E-0002", "secret": secrets["E2E-0002"],
                      "grounds": "Nilai SKB saya 95, bukan 70"}), 201)  # fmt: skip
    ok(platform.call("POST", api(platform, "/appeals/E2E-0002/decision"),
                     {"status": "ACCEPTED", "decision": "Salah input SKB",
                      "corrections": {"skb": "95"}}, admin))  # fmt: skip
    results = ok(platform.call(
        "GET", api(platform, f"/formations/{dinkes['id']}/announcement")
    ))["items"]  # fmt: skip
    assert [(r["registration_number"], r["outcome"]) for r in results] == [
        ("E2E-0002", "SELECTED"), ("E2E-0001", "NOT_SELECTED"),
    ]  # fmt: skip
    trail = ok(platform.call("GET", api(platform, "/selection/audit?registration_number=E2E-0002"),
                             headers=admin))  # fmt: skip
    assert any(e["field"] == "skb" and e["new_value"] == "95" for e in trail["items"])

    # After the appeal period: E2E-0001 fills RSUD's empty post (E2E-0004 failed the grade).
    close_appeal_windows(platform)
    optimised = ok(platform.call("POST", api(platform, f"/selection/{YEAR}/optimise"),
                                 headers=admin))  # fmt: skip
    assert optimised["filled"] == 1
    appointed = ok(platform.call("POST", api(platform, f"/selection/{YEAR}/appoint"),
                                 {"tmt_cpns": "2025-03-01"}, admin))["appointed"]  # fmt: skip
    by_number = {a["registration_number"]: a for a in appointed}
    assert set(by_number) == {"E2E-0001", "E2E-0002", "E2E-0003"}
    assert by_number["E2E-0001"]["unit"] == "RSUD"
    assert by_number["E2E-0001"]["nip"] == "199703052025032001"

    for number, appointment in by_number.items():
        for service in CONSUMERS:
            url = f"{platform.gateway}/api/v1/{service}/employees/{appointment['nip']}"
            found = wait_until(
                lambda url=url: (lambda r: r if r[0] == 200 else None)(
                    platform.call("GET", url, headers=admin)
                ),
                timeout=30,
                message=f"{number} in the {service} projection",
            )
            assert found[1]["unit"] == appointment["unit"]
            assert APPLICANTS[number][0] not in str(found[1])
