"""Training in the demo: the needs appraisals cause, a catalogue, enrolments and completions.

Needs follow `appraisal.appraisal.finalized` (development, BerAKHLAK competencies) and
`recruitment.employee.appointed` (Latsar for a CPNS), so the first step waits for those the run
caused. Then the catalogue (providers, an MoU, one course per competency the needs name, a
session of each in the plan year), enrolments from open needs and a few completions (the JP
ledger and `training.course.completed`, which awards reads).
"""

from __future__ import annotations

from datetime import date, timedelta

from sofifi.demo.client import wait_for
from sofifi.demo.steps import Demo, Step

SERVICE = "training"
PAGE = 500


def needs(demo: Demo, **query: object) -> list[dict]:
    """Every training need matching `query` (the list is paged by flask-smorest)."""
    found: list[dict] = []
    params = "".join(f"&{key}={value}" for key, value in query.items())
    page = 1
    while True:
        answer = demo.gateway.call(
            "GET", f"/training/needs?page={page}&page_size={PAGE}{params}", demo.admin
        )
        items = answer.expect(200)
        found += items
        if len(items) < PAGE:
            return found
        page += 1


def wait_for_needs(demo: Demo) -> None:
    """Wait for the needs this run's appraisals and CPNS appointments must have caused."""
    finalized = demo.seen.get("finalized", [])
    from_appraisals = sum(rating.needs() for rating in finalized)
    rated = {rating.nip for rating in finalized}
    cpns = demo.seen.get("latsar_expected", 0)
    year = demo.province.year

    def arrived() -> tuple[int, int] | None:
        development = [n for n in needs(demo, year=year + 1) if n["source"] == "APPRAISAL"]
        ours = sum(need["nip"] in rated for need in development)
        latsar = len(needs(demo, year=year, kind="LATSAR")) if cpns else 0
        return (ours, latsar) if ours >= from_appraisals and latsar >= cpns else None

    if not from_appraisals and not cpns:
        return
    wait_for("training needs", arrived, demo.timeout)
    demo.count(SERVICE, "needs from appraisals by events", from_appraisals)
    demo.count(SERVICE, "Latsar needs of new CPNS by events", cpns)


BPSDM = "BPSDM Provinsi Maluku Utara (demo)"
UNIVERSITY = "Universitas Mitra Sofifi (demo)"
# (title, competency, type, mode, JP, cost, provider): one per competency the needs name.
COURSES = (
    (
        "Coaching kinerja bagi ASN",
        "Pengembangan kinerja",
        "MANAJERIAL",
        "BLENDED",
        24,
        1_500_000,
        BPSDM,
    ),
    ("Pelayanan publik prima", "Pelayanan publik", "MANAJERIAL", "CLASSICAL", 20, 1_200_000, BPSDM),
    (
        "Integritas dan antikorupsi",
        "Akuntabilitas dan integritas",
        "MANAJERIAL",
        "E_LEARNING",
        12,
        300_000,
        BPSDM,
    ),
    (
        "Penguatan kompetensi teknis jabatan",
        "Kompetensi teknis bidang tugas",
        "TEKNIS",
        "CLASSICAL",
        30,
        2_500_000,
        UNIVERSITY,
    ),
    (
        "Moderasi dan perekat bangsa",
        "Perekat bangsa",
        "SOSIAL_KULTURAL",
        "E_LEARNING",
        10,
        250_000,
        BPSDM,
    ),
    (
        "Wawasan kebangsaan dan etika ASN",
        "Wawasan kebangsaan dan etika ASN",
        "SOSIAL_KULTURAL",
        "CLASSICAL",
        16,
        900_000,
        BPSDM,
    ),
    (
        "Manajemen perubahan di sektor publik",
        "Mengelola perubahan",
        "MANAJERIAL",
        "BLENDED",
        24,
        2_000_000,
        UNIVERSITY,
    ),
    (
        "Kolaborasi lintas perangkat daerah",
        "Kerja sama",
        "MANAJERIAL",
        "CLASSICAL",
        16,
        1_000_000,
        UNIVERSITY,
    ),
)
PER_SESSION = 2  # enrolments from open needs per session
PLACE = "Kampus BPSDM, Sofifi"
LINK = "https://elearning.example.org/sofifi-demo"


def catalogue(demo: Demo) -> None:
    """Providers, the university's MoU, the courses and one session of each in the plan year."""
    gateway, admin = demo.gateway, demo.admin
    listed = gateway.call("GET", "/training/providers", admin).expect(200)
    providers = {p["name"]: p for p in listed}
    for name, kind in ((BPSDM, "BPSDM"), (UNIVERSITY, "UNIVERSITY")):
        if name not in providers:
            body = {"name": name, "kind": kind}
            providers[name] = gateway.call("POST", "/training/providers", admin, body).expect(201)
            demo.count(SERVICE, "providers")
    ids = {name: p["provider_id"] for name, p in providers.items()}
    courses = {c["title"]: c for c in gateway.call("GET", "/training/courses", admin).expect(200)}
    for title, competency, kind, mode, jp, cost, provider in COURSES:
        if title not in courses:
            body = {
                "title": title,
                "competency": competency,
                "competency_type": kind,
                "mode": mode,
                "jp": jp,
                "cost_per_participant": cost,
                "provider_id": ids[provider],
            }
            courses[title] = gateway.call("POST", "/training/courses", admin, body).expect(201)
            demo.count(SERVICE, "courses")
    plan_year = demo.province.year + 1
    mou = f"MOU-DEMO/{demo.province.seed}/{plan_year}"
    partnerships = gateway.call(
        "GET", f"/training/partnerships?provider_id={ids[UNIVERSITY]}", admin
    ).expect(200)
    if not any(p["mou_number"] == mou for p in partnerships):
        body = {
            "provider_id": ids[UNIVERSITY],
            "mou_number": mou,
            "valid_from": f"{plan_year}-01-01",
            "valid_until": f"{plan_year + 2}-12-31",
            "free_seats_per_year": 10,
            "discount_percent": 20,
            "course_ids": [courses[c[0]]["course_id"] for c in COURSES if c[6] == UNIVERSITY],
        }
        gateway.call("POST", "/training/partnerships", admin, body).expect(201)
        demo.count(SERVICE, "university MoU")
    sessions = gateway.call("GET", f"/training/sessions?year={plan_year}", admin).expect(200)
    known = {(s["course_id"], s["starts_on"]) for s in sessions}
    for index, (title, *_rest) in enumerate(COURSES):
        course = courses[title]
        starts = date(plan_year, 2 + index, 10)  # February to September: no two overlap
        if (course["course_id"], starts.isoformat()) in known:
            continue
        body = {
            "course_id": course["course_id"],
            "starts_on": starts.isoformat(),
            "ends_on": (starts + timedelta(days=2)).isoformat(),
            "capacity": 30,
        }
        body["link" if course["mode"] == "E_LEARNING" else "place"] = (
            LINK if course["mode"] == "E_LEARNING" else PLACE
        )
        sessions.append(gateway.call("POST", "/training/sessions", admin, body).expect(201))
        demo.count(SERVICE, "sessions")
    demo.seen["training_sessions"] = [
        s for s in sessions if s["course_title"] in {c[0] for c in COURSES}
    ]


def enrol_and_complete(demo: Demo) -> None:
    """Per session, the first open needs of its competency enrolled; one passed per past one."""
    gateway, admin = demo.gateway, demo.admin
    plan_year = demo.province.year + 1
    ours = demo.province.nips
    development = sorted(
        (n for n in needs(demo, year=plan_year) if n["source"] == "APPRAISAL" and n["nip"] in ours),
        key=lambda n: (n["nip"], n["need_id"]),
    )
    today = date.today()
    demo.hint(f"training: the JP ledger per unit, GET /api/v1/training/ledger/{plan_year}/units")
    taken: set[str] = set()
    for session in sorted(demo.seen.get("training_sessions", []), key=lambda s: s["starts_on"]):
        existing = gateway.call(
            "GET", f"/training/enrolments?session_id={session['session_id']}&page_size=500", admin
        ).expect(200)
        booked = {e["nip"]: e for e in existing}
        chosen = [n for n in development if n["competency"] == session["competency"]]
        chosen = [n for n in chosen if n["nip"] not in taken][:PER_SESSION]
        for index, need in enumerate(chosen):
            taken.add(need["nip"])
            enrolment = booked.get(need["nip"])
            if enrolment is None:
                if need["status"] != "OPEN":
                    continue
                body = {"session_id": session["session_id"], "nip": need["nip"]}
                body["need_id"] = need["need_id"]
                answer = gateway.call("POST", "/training/enrolments", admin, body)
                if answer.status in (409, 422):  # booked elsewhere meanwhile: leave them be
                    continue
                enrolment = answer.expect(201)
                demo.count(SERVICE, "enrolments")
            ended = date.fromisoformat(session["ends_on"]) < today
            if index == 0 and ended and enrolment["status"] == "ENROLLED":
                body = {
                    "attended": True,
                    "passed": True,
                    "certificate_number": f"DEMO-{session['session_id'][:8]}-{need['nip'][-4:]}",
                }
                gateway.call(
                    "POST", f"/training/enrolments/{enrolment['enrolment_id']}/completion", admin,
                    body,
                ).expect(200)  # fmt: skip
                demo.count(SERVICE, "completions (JP ledger)")


STEPS = (
    Step(SERVICE, "needs, by events", wait_for_needs),
    Step(SERVICE, "providers, MoU, courses, sessions", catalogue),
    Step(SERVICE, "enrolments and completions", enrol_and_complete),
)
