"""Issue 15's `sofifi demo` against the whole platform started for real (real broker).

The demo is run as a user runs it (the console command beside `sofifi run`); everything is then
checked through the gateway: the roster, the finalized units, eligibility and training needs
that arrived by events, the announced formation, and accounts that log in. A second run changes
nothing; a platform holding someone else's data is refused unless --force.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest

from sofifi.demo.province import generate

from .conftest import Platform

pytestmark = [pytest.mark.e2e, pytest.mark.broker, pytest.mark.slow]

SIZE = 40
YEAR = date.today().year - 1
ACCOUNT = re.compile(r"^  (\S+)\s+(\w{4}-\w{4}-\w{4}-\w{4})\s+(\S+)", re.MULTILINE)
STRANGER = {
    "nip": "198503122010012004",
    "name": "Siti Rahmawati",
    "gender": "F",
    "birth_date": "1985-03-12",
    "tmt_cpns": "2010-01-01",
    "status": "PNS",
    "unit": "DISKOMINFO",
    "position": "Pranata Komputer",
    "supervisor_nip": None,
}


def run_demo(platform: Platform, *args: str):
    return platform.sofifi("demo", "--size", str(SIZE), "--year", str(YEAR), *args)


def get(platform: Platform, path: str, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return platform.call("GET", f"{platform.gateway}/api/v1{path}", headers=headers)


def login(platform: Platform, username: str, password: str) -> dict:
    status, body, _ = platform.call(
        "POST",
        f"{platform.gateway}/api/v1/auth/token",
        {"username": username, "password": password},
    )
    assert status == 200, (username, body)
    return body


def state(platform: Platform, token: str) -> dict:
    """What the platform holds, as counts read through the gateway."""
    province = generate(1, SIZE, YEAR)
    status, roster, _ = get(platform, "/recruitment/employees?page_size=1", token)
    assert status == 200, roster
    status, decisions, _ = get(platform, f"/awards/eligibility/{YEAR}?page_size=500", token)
    assert status == 200, decisions
    needs = {}
    for year in (YEAR, YEAR + 1):
        status, body, _ = get(platform, f"/training/needs?year={year}&page_size=500", token)
        assert status == 200, body
        needs[year] = Counter(need["kind"] for need in body)
    units = {}
    for unit, _name in province.units:
        status, body, _ = get(platform, f"/appraisal/units/{unit}/{YEAR}/calibration", token)
        assert status == 200, body
        units[unit] = (body["unit_rating"], body["staff"], body["rated"], body["finalized_at"])
    status, formations, _ = get(platform, f"/recruitment/formations?year={YEAR + 1}", token)
    assert status == 200, formations
    return {
        **training_state(platform, token),
        **awards_state(platform, token),
        **feedback_state(platform, token),
        "roster": roster["total"],
        "decisions": decisions["total"],
        "eligible": sum(item["eligible"] for item in decisions["items"]),
        "needs": needs,
        "units": units,
        "formations": [(f["code"], f["announced_at"]) for f in formations["items"]],
    }


def training_state(platform: Platform, token: str) -> dict:
    """Training's catalogue, enrolments and JP ledger, as counts."""
    counts = {}
    for what in ("providers", "courses", "partnerships"):
        status, body, _ = get(platform, f"/training/{what}", token)
        assert status == 200, body
        counts[what] = len(body)
    status, sessions, _ = get(platform, f"/training/sessions?year={YEAR + 1}", token)
    assert status == 200, sessions
    status, enrolments, _ = get(platform, "/training/enrolments?page_size=500", token)
    assert status == 200, enrolments
    status, units, _ = get(platform, f"/training/ledger/{YEAR + 1}/units", token)
    assert status == 200, units
    return {
        "training": {
            **counts,
            "sessions": len(sessions),
            "enrolments": Counter(e["status"] for e in enrolments),
            "jp": sum(unit["jp_total"] for unit in units),
        }
    }


def awards_state(platform: Platform, token: str) -> dict:
    """The programme, its nominations and their score sheets."""
    status, programme, _ = get(platform, f"/awards/programmes/SB-{YEAR}", token)
    assert status == 200, programme
    status, nominations, _ = get(platform, f"/awards/programmes/SB-{YEAR}/nominations", token)
    assert status == 200, nominations
    sheets = []
    for nomination in nominations:
        status, body, _ = get(platform, f"/awards/nominations/{nomination['id']}/scores", token)
        assert status == 200, body
        sheets.append(len(body["sheets"]))
    return {
        "awards": {
            "categories": len(programme["categories"]),
            "weights": sum(c["weight"] for c in programme["criteria"]),
            "decided": programme["decided_at"],
            "nominations": len(nominations),
            "sheets": sheets,
        }
    }


def feedback_state(platform: Platform, token: str) -> dict:
    """Reports by status, the published IKM and the consultation's comments."""
    status, reports, _ = get(platform, "/feedback/reports?page_size=200", token)
    assert status == 200, reports
    status, results, _ = get(platform, "/feedback/ikm/results")
    assert status == 200, results
    status, consultations, _ = get(platform, "/feedback/consultations")
    assert status == 200, consultations
    comments = []
    for consultation in consultations:
        status, body, _ = get(platform, f"/feedback/consultations/{consultation['id']}")
        assert status == 200, body
        comments.append(len(body["comments"]))
    return {
        "feedback": {
            "reports": Counter((r["kind"], r["status"]) for r in reports["items"]),
            "ikm": [(r["unit"], r["year"], r["period"]) for r in results],
            "consultations": [(c["unit"], c["open"]) for c in consultations],
            "comments": comments,
        }
    }


def test_demo_fills_the_platform_once_and_refuses_foreign_data(platform: Platform):
    first = run_demo(platform)
    assert first.returncode == 0, first.stdout + first.stderr
    accounts = {name: (password, roles) for name, password, roles in ACCOUNT.findall(first.stdout)}
    roles = Counter(role for _, (_, listed) in accounts.items() for role in listed.split(","))
    assert {"admin", "recruiter", "committee", "officer"} <= set(roles)
    assert roles["supervisor"] >= 2 and roles["employee"] >= 4, accounts
    # Every account logs in (within the gateway's 10 logins a minute) with the roles printed.
    tokens = {name: login(platform, name, password) for name, (password, _) in accounts.items()}
    for name, (_, listed) in accounts.items():
        assert sorted(tokens[name]["roles"]) == sorted(listed.split(","))
    admin = tokens["demo.admin"]["access_token"]

    # Through the gateway: the roster, every unit finalized within its rule, and what followed.
    province = generate(1, SIZE, YEAR)
    predikats = Counter(rating.predikat for rating in province.ratings.values())
    rated = len(province.ratings)
    after = state(platform, admin)
    assert after["roster"] == SIZE
    assert all(final for *_, final in after["units"].values()), after["units"]
    assert sum(staff for _, staff, _, _ in after["units"].values()) == rated
    assert all(staff == count for _, staff, count, _ in after["units"].values())
    assert after["decisions"] == rated
    assert after["eligible"] == predikats["SANGAT_BAIK"] > 0
    expected_needs = sum(rating.needs() for rating in province.ratings.values())
    assert sum(after["needs"][YEAR + 1].values()) == expected_needs > 0
    assert after["needs"][YEAR]["LATSAR"] == sum(p.status == "CPNS" for p in province.people)
    assert len(after["formations"]) == 2 and all(when for _, when in after["formations"])
    _, formations, _ = get(platform, f"/recruitment/formations?year={YEAR + 1}", admin)
    first_id = formations["items"][0]["id"]
    status, announced, _ = get(platform, f"/recruitment/formations/{first_id}/announcement")
    assert status == 200 and announced["items"], announced  # public, without a token
    supervisor = next(name for name, (_, listed) in accounts.items() if "supervisor" in listed)
    unit = tokens[supervisor]["unit"]
    status, body, _ = get(
        platform, f"/appraisal/units/{unit}/{YEAR}/calibration", tokens[supervisor]["access_token"]
    )
    assert status == 200 and body["finalized_at"], body
    assert "created in" in first.stdout and "recruitment: 40 employees" in first.stdout

    # Training, awards and feedback, through the gateway.
    training = after["training"]
    assert training["providers"] == 2 and training["partnerships"] == 1, training
    assert training["courses"] == training["sessions"] == 8, training
    assert training["enrolments"]["COMPLETED"] >= 1 and training["jp"] > 0, training
    assert training["enrolments"]["ENROLLED"] >= 1, training
    awards = after["awards"]
    assert awards["categories"] == 2 and awards["weights"] == 100 and not awards["decided"]
    assert 1 <= awards["nominations"] <= 4 and all(awards["sheets"]), awards
    feedback = after["feedback"]
    assert feedback["reports"] == Counter(
        {
            ("SUGGESTION", "RESOLVED"): 1,
            ("COMPLAINT", "DISPOSITIONED"): 1,
            ("INFORMATION_REQUEST", "RECEIVED"): 1,
        }
    ), feedback
    assert feedback["ikm"] == [("DINKES", YEAR + 1, "S2")], feedback
    assert feedback["consultations"] == [("DINKES", True)] and feedback["comments"] == [3]
    assert f"SB-{YEAR} is scored until" in first.stdout and "report LPR-" in first.stdout
    officer = tokens["demo.officer"]["access_token"]
    status, mine, _ = get(platform, "/feedback/reports?status=DISPOSITIONED", officer)
    assert status == 200 and mine["total"] == 1, mine

    # A second run finds everything and changes nothing.
    second = run_demo(platform)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "\n0 created in" in second.stdout, second.stdout
    assert state(platform, admin) == after
    assert ACCOUNT.findall(second.stdout) == ACCOUNT.findall(first.stdout)

    # Another demo's data (another seed) is foreign too.
    other_seed = run_demo(platform, "--seed", "2")
    assert other_seed.returncode == 2, other_seed.stdout + other_seed.stderr
    assert "40 employee(s) on the roster are not the demo's" in other_seed.stdout

    # Someone's real employee on the roster: refused, nothing written, unless --force.
    status, body, _ = platform.call(
        "POST", f"{platform.gateway}/api/v1/recruitment/employees", STRANGER,
        {"Authorization": f"Bearer {admin}"},
    )  # fmt: skip
    assert status == 201, body
    refused = run_demo(platform)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "Refused" in refused.stdout and STRANGER["nip"] in refused.stdout
    assert "--force" in refused.stdout
    forced = run_demo(platform, "--force")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert "\n0 created in" in forced.stdout
    assert state(platform, admin) == {**after, "roster": SIZE + 1}


def test_demo_says_what_to_do_when_no_platform_runs(platform: Platform):
    result = platform.sofifi("demo", "--gateway", "http://127.0.0.1:9")
    assert result.returncode == 1
    assert "No platform answers at http://127.0.0.1:9" in result.stdout
    assert "make run" in result.stdout
