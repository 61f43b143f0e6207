"""Issue 9 end to end through the gateway: an anonymous complaint about a named employee is
verified, dispositioned, answered by the unit and substantiated, and within seconds that
employee's Sofifi Berprestasi eligibility (awards) is revoked; the feedback database holds no
identity of the anonymous reporter. Every process is real; no event is published by hand."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest

from .conftest import Platform, wait_until
from .test_appraisal_flow import PASSWORD, YEAR, Flow, person

pytestmark = [pytest.mark.e2e, pytest.mark.broker, pytest.mark.slow]

UNIT = "DPMPTSP"


def officer(flow: Flow, username: str, unit: str) -> str:
    created = flow.platform.sofifi(
        "user", "create", "--username", username, "--password", PASSWORD,
        "--role", "officer", "--unit", unit,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    status, body, _ = flow.platform.call(
        "POST", f"{flow.base}/auth/token", {"username": username, "password": PASSWORD}
    )
    assert status == 200, body
    return body["access_token"]


def star_with_eligibility(flow: Flow, admin: str) -> dict:
    """A unit finalized as in issue 4: its SANGAT_BAIK employee is eligible for the award."""
    head = person(1, "SETDA", None)
    supervisor = person(2, "SETDA", head["nip"], "F")
    staff = [person(10 + i, UNIT, supervisor["nip"]) for i in range(3)]
    for record in (head, supervisor, *staff):
        status, body, _ = flow.call("POST", "/recruitment/employees", admin, record)
        assert status == 201, body
    wait_until(
        lambda: flow.call("GET", f"/appraisal/employees/{staff[-1]['nip']}", admin)[0] == 200,
        timeout=20,
        message="the roster in the appraisal service",
    )
    supervisor_token = flow.user("kabid-fb", "supervisor", "employee", nip=supervisor["nip"])
    status, body, _ = flow.call(
        "POST", "/appraisal/periods", admin, {"year": YEAR, "kind": "ANNUAL"}
    )
    assert status == 201, body
    status, body, _ = flow.call(
        "PUT", f"/appraisal/units/{UNIT}/{YEAR}/rating", admin, {"rating": "BAIK"}
    )
    assert status == 200, body
    for employee, predikat, weak in zip(
        staff, ("SANGAT_BAIK", "BAIK", "KURANG"), (None, None, "kompeten"), strict=True
    ):
        flow.agreed_skp(employee["nip"], supervisor_token)
        status, body, _ = flow.rate(employee["nip"], supervisor_token, predikat, weak)
        assert status == 200, body
    status, body, _ = flow.call("POST", f"/appraisal/units/{UNIT}/{YEAR}/finalize", admin)
    assert status == 200, body
    star = staff[0]

    def eligible():
        status, body, _ = flow.call("GET", f"/awards/eligibility/{YEAR}/{star['nip']}", admin)
        return body if status == 200 and body["eligible"] else None

    wait_until(eligible, timeout=20, message="the star's award eligibility")
    return star


def test_an_anonymous_complaint_revokes_award_eligibility(platform: Platform):
    flow = Flow(platform)
    admin = flow.user("verifikator-e2e", "admin")
    unit_officer = officer(flow, "petugas-e2e", UNIT)
    star = star_with_eligibility(flow, admin)
    public = {}  # no token: the citizen has no account

    # The public directory names the star by name and unit, without a NIP.
    def listed():
        status, body, _ = flow.call(
            "GET", f"/feedback/public/directory?unit={UNIT}&name={quote(star['name'])}", public
        )
        return body if status == 200 and body["employees"] else None

    directory = wait_until(listed, timeout=20, message="the star in feedback's directory")
    assert star["nip"] not in str(directory)

    complaint = {
        "kind": "COMPLAINT",
        "subject": "EMPLOYEE",
        "unit": UNIT,
        "employee_name": star["name"],
        "category": "Pungutan di luar ketentuan",
        "title": "Diminta uang pelicin untuk izin",
        "body": "Petugas meminta uang tambahan agar izin usaha cepat terbit.",
        "incident_date": f"{YEAR}-06-10",
        "privacy": "ANONYMOUS",
    }
    status, submitted, _ = flow.call("POST", "/feedback/public/reports", public, complaint)
    assert status == 201, submitted
    number = submitted["tracking_number"]
    status, timeline, _ = flow.call(
        "POST",
        "/feedback/public/track",
        public,
        {"tracking_number": number, "secret": "not-the-secret-at-all"},
    )
    assert status == 404

    for action, body, token in (
        ("verify", {"note": "Lengkap"}, admin),
        ("disposition", {"unit": UNIT}, admin),
        ("respond", {"note": "Petugas diperiksa atasan"}, unit_officer),
    ):
        status, moved, _ = flow.call("POST", f"/feedback/reports/{number}/{action}", token, body)
        assert status == 200, (action, moved)
    status, body, _ = flow.call("POST", f"/feedback/reports/{number}/verify", admin, {})
    assert status == 409, body  # an impossible transition
    status, found, _ = flow.call(
        "POST",
        f"/feedback/reports/{number}/finding",
        admin,
        {"substantiated": True, "severity": "SEDANG", "note": "Terbukti"},
    )
    assert status == 200, found

    def revoked():
        status, body, _ = flow.call("GET", f"/awards/eligibility/{YEAR}/{star['nip']}", admin)
        return body if status == 200 and body["eligible"] is False else None

    after = wait_until(revoked, timeout=15, message="eligibility revoked by the complaint")
    assert after["reasons"], after

    status, timeline, _ = flow.call(
        "POST",
        "/feedback/public/track",
        public,
        {"tracking_number": number, "secret": submitted["secret"]},
    )
    assert status == 200 and timeline["status"] == "IN_FOLLOW_UP", timeline

    # The feedback database holds no identity of the anonymous reporter: no contact row, and
    # no network address anywhere in it.
    database = Path(platform.env["SOFIFI_VAR_DIR"]) / "feedback.db"
    with sqlite3.connect(database) as connection:
        (report_id,) = connection.execute(
            "SELECT id FROM reports WHERE tracking_number = ?", (number,)
        ).fetchone()
        contacts = connection.execute(
            "SELECT count(*) FROM reporter_contacts WHERE report_id = ?", (report_id,)
        ).fetchone()[0]
        assert contacts == 0
        dump = "\n".join(connection.iterdump())
    assert "127.0.0.1" not in dump
    assert number in dump  # the dump is of the right database
    # Nor do the platform's logs carry the client's address with the submission.
    submissions = [
        line
        for line in platform.log_lines()
        if line.get("path", "").endswith("/public/reports") and line.get("method") == "POST"
    ]
    assert submissions and all("127.0.0.1" not in str(line) for line in submissions)
