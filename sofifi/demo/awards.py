"""Awards in the demo: Sofifi Berprestasi eligibility (by events), then this year's programme.

Eligibility follows `appraisal.appraisal.finalized`, so the first step waits for the decisions
the run's finalizations cause. Then the programme rewarding the appraised year (`SB-<year>`, two
categories, four weighted criteria), nominations of a few eligible employees by their
supervisors, and the score sheets of three committee members (heads of units, signed tokens
with NIP and unit), who are recused by awards from nominees of their unit or supervision chain.
The demo stops before the decision: nominations close the day the demo runs (WIT) and scoring
stays open for 14 days, so a user can score (`demo.committee`), see the ranking once scoring has
closed and take the decision from `decision_on` (or move the timeline with PATCH before).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

from sofifi.demo.client import wait_for
from sofifi.demo.steps import Demo, Step

SERVICE = "awards"
WIT = timezone(timedelta(hours=9))
NOMINEES = 4  # at most, one per unit first
CATEGORIES = (
    {
        "code": "PELAYANAN",
        "name": "Pelayanan publik terbaik",
        "quota": 2,
        "incentive_amount": 5_000_000,
        "self_nomination": False,
    },
    {
        "code": "INOVASI",
        "name": "Inovator ASN",
        "quota": 1,
        "incentive_amount": 7_500_000,
        "self_nomination": True,
    },
)
CRITERIA = (
    ("KINERJA", "Kinerja", "Hasil kerja dan perilaku sepanjang tahun", 40),
    ("INOVASI", "Inovasi", "Gagasan baru yang diterapkan di unit", 30),
    ("INTEGRITAS", "Integritas", "Kejujuran dan tanggung jawab", 20),
    ("KOLABORASI", "Kolaborasi", "Kerja sama lintas bidang dan unit", 10),
)


def wait_for_eligibility(demo: Demo) -> None:
    """Wait until every appraisal finalized by this run has its eligibility decision."""
    expected = {rating.nip for rating in demo.seen.get("finalized", [])}
    if not expected:
        return
    year = demo.province.year

    def decided() -> list[dict] | None:
        items = demo.gateway.pages(f"/awards/eligibility/{year}", demo.admin)
        found = [item for item in items if item["nip"] in expected]
        return found if len(found) >= len(expected) else None

    found = wait_for("Sofifi Berprestasi eligibility", decided, demo.timeout)
    demo.count(SERVICE, "eligibility decisions by events", len(found))
    demo.detail(SERVICE, "eligible", sum(item["eligible"] for item in found))


def programme_id(demo: Demo) -> str:
    return f"SB-{demo.province.year}"


def wit_today() -> str:
    return datetime.now(WIT).date().isoformat()


def programme(demo: Demo) -> None:
    """The Sofifi Berprestasi programme rewarding the appraised year (409/200: it exists)."""
    gateway, admin, year = demo.gateway, demo.admin, demo.province.year
    found = gateway.call("GET", f"/awards/programmes/{programme_id(demo)}", admin)
    if found.status == 200:
        demo.seen["programme"] = found.body
        return
    found.expect(404)
    today = datetime.now(WIT).date()
    day = lambda n: (today + timedelta(days=n)).isoformat()  # noqa: E731
    body = {
        "year": year,
        "title": f"Sofifi Berprestasi {year} (demo)",
        "total_budget": 20_000_000,
        "min_scorers": 2,
        "nominations_open": day(0),
        "nominations_close": day(0),
        "scoring_open": day(0),
        "scoring_close": day(14),
        "decision_on": day(14),
        "announcement_on": day(21),
        "categories": list(CATEGORIES),
        "criteria": [
            {"code": c, "name": n, "description": d, "weight": w} for c, n, d, w in CRITERIA
        ],
    }
    demo.seen["programme"] = gateway.call("POST", "/awards/programmes", admin, body).expect(201)
    demo.count(SERVICE, "Sofifi Berprestasi programme")


def nominate(demo: Demo) -> None:
    """A few eligible employees nominated by their supervisors, while nominations are open."""
    gateway, admin, province = demo.gateway, demo.admin, demo.province
    pid = programme_id(demo)
    path = f"/awards/programmes/{pid}/nominations"
    existing = {n["nip"] for n in gateway.call("GET", path, admin).expect(200)}
    timeline = demo.seen.get("programme", {})
    today = wit_today()
    if not timeline or not timeline["nominations_open"] <= today <= timeline["nominations_close"]:
        return  # the window has passed (an earlier day's run nominated)
    eligible = gateway.pages(f"/awards/eligibility/{province.year}", admin, eligible="true")
    ours = [e for e in eligible if e["nip"] in province.nips]
    ours = [e for e in ours if province.person(e["nip"]).supervisor_nip]
    by_unit: dict[str, dict] = {}
    for item in ours:
        by_unit.setdefault(item["unit"], item)
    chosen = (list(by_unit.values()) + [e for e in ours if e not in by_unit.values()])[:NOMINEES]
    for index, item in enumerate(sorted(chosen, key=lambda e: e["nip"])):
        if item["nip"] in existing:
            continue
        person = province.person(item["nip"])
        category = CATEGORIES[index % 2]["code"]
        body = {
            "category": category,
            "nip": person.nip,
            "statement": (
                f"{person.name} ({person.position}, {person.unit}) menunjukkan kinerja sangat "
                "baik sepanjang tahun dan menjadi teladan bagi rekan kerja."
            ),
            "evidence": [
                {
                    "title": "Laporan kinerja tahunan",
                    "description": "Capaian target SKP di atas ekspektasi",
                    "url": "https://example.org/sofifi-demo/laporan",
                }
            ],
        }
        boss = demo.tokens.supervisor(person.supervisor_nip)
        gateway.call("POST", path, boss, body).expect(201)
        demo.count(SERVICE, "nominations")


def members(demo: Demo) -> list[tuple[str, str, str]]:
    """The committee members the demo scores as: (subject, NIP, unit), heads of three units."""
    province = demo.province
    units = [unit for unit, _name in province.units if unit != "SETDA"][:3]
    return [(f"demo.committee.{u.lower()}", province.heads[u], u) for u in units]


def score(demo: Demo) -> None:
    """Each member's sheet for each nomination, or their recusal from one of their own unit."""
    gateway, pid = demo.gateway, programme_id(demo)
    timeline = demo.seen.get("programme", {})
    today = wit_today()
    if timeline:
        demo.hint(
            f"awards: {pid} is scored until {timeline['scoring_close']} (WIT) and decided from "
            f"{timeline['decision_on']}: score as demo.committee (POST /api/v1/awards/"
            f"nominations/<id>/scores), then rank and decide as demo.admin"
        )
    if not timeline or not timeline["scoring_open"] <= today <= timeline["scoring_close"]:
        return
    for subject, nip, unit in members(demo):
        token = demo.tokens.token(subject, "committee", nip=nip, unit=unit)
        listed = gateway.call("GET", f"/awards/programmes/{pid}/nominations", token).expect(200)
        for nomination in listed:
            if nomination["my_status"] == "RECUSED":  # own unit or supervision chain
                demo.detail(SERVICE, "sheets withheld by recusal", 1)
            if nomination["my_status"] != "TO_SCORE":
                continue
            path = f"/awards/nominations/{nomination['id']}"
            scores = {
                code: 60 + _digest(subject, nomination["nip"], code) % 41
                for code, *_rest in CRITERIA
            }
            body = {"scores": scores, "note": "Penilaian demo"}
            gateway.call("POST", f"{path}/scores", token, body).expect(201)
            demo.count(SERVICE, "score sheets")


def _digest(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256(":".join(parts).encode()).digest()[:4], "big")


ELIGIBILITY = Step(SERVICE, "eligibility, by events", wait_for_eligibility)
STEPS = (
    Step(SERVICE, "the Sofifi Berprestasi programme", programme),
    Step(SERVICE, "nominations by supervisors", nominate),
    Step(SERVICE, "committee score sheets", score),
)
