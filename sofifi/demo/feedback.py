"""Feedback in the demo: citizens' reports in several states, an IKM survey, a consultation.

Everything concerns the showcase unit (DINKES), so that `demo.officer` sees it. Reports are sent
as a citizen sends them (the public API, no token) and moved by BKD's admin: a suggestion
resolved, a complaint about a named employee verified and dispositioned to the unit (the
officer can respond, then an admin record a finding), an information request just received.
The IKM survey of the plan year's second semester gets respondent codes, answers and its
published result; the consultation on a draft stays open for 30 days with a few comments.
Reports are recognised by their title, the survey by unit, year and period, the consultation by
its title and comments by their text.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

from contracts.feedback import IKM_ELEMENTS
from sofifi.demo.accounts import SHOWCASE_UNIT
from sofifi.demo.steps import Demo, Step

SERVICE = "feedback"
WIT = timezone(timedelta(hours=9))
PATH = ["verify", "disposition", "respond", "resolve"]  # RECEIVED → … → RESOLVED
FROM = {
    "verify": "RECEIVED",
    "disposition": "VERIFIED",
    "respond": "DISPOSITIONED",
    "resolve": "IN_FOLLOW_UP",
}
IKM_PERIOD = "S2"
IKM_RESPONDENTS = 12
CONSULTATION = "Rancangan standar pelayanan puskesmas (demo)"
COMMENTS = (
    ("Warga Sofifi", "Mohon jam layanan sore hari ditambah untuk pekerja."),
    ("Nelayan Oba", "Perlu ada layanan keliling untuk desa pesisir yang jauh."),
    (None, "Informasi biaya sebaiknya ditempel di loket dan di situs."),
)


def reports(demo: Demo) -> list[tuple[dict, int]]:
    """The three reports the demo sends, with how far along PATH each is taken."""
    unit = SHOWCASE_UNIT
    named = demo.province.staff(unit)[-1]
    common = {"unit": unit, "privacy": "PUBLIC", "name": "Warga Demo", "website": ""}
    return [
        (
            {
                **common,
                "kind": "SUGGESTION",
                "subject": "UNIT",
                "category": "Pelayanan kesehatan",
                "title": "Usul sistem antrean daring di puskesmas (demo)",
                "body": "Antrean pagi sangat panjang; nomor antrean lewat SMS akan membantu.",
            },
            4,  # resolved
        ),
        (
            {
                **common,
                "kind": "COMPLAINT",
                "subject": "EMPLOYEE",
                "employee_name": named.name,
                "employee_position": named.position,
                "category": "Perilaku petugas",
                "title": "Petugas tidak ramah saat melayani (demo)",
                "body": (
                    "Saat saya mengurus surat rujukan, petugas membentak dan menolak menjelaskan."
                ),
                "incident_date": (datetime.now(WIT).date() - timedelta(days=7)).isoformat(),
                "privacy": "CONFIDENTIAL",
            },
            2,  # verified and dispositioned to the unit
        ),
        (
            {
                **common,
                "kind": "INFORMATION_REQUEST",
                "subject": "SERVICE",
                "service_name": "Jaminan kesehatan daerah",
                "category": "Informasi layanan",
                "title": "Syarat pendaftaran jaminan kesehatan daerah (demo)",
                "body": "Dokumen apa saja yang diperlukan untuk mendaftar, dan di mana?",
            },
            0,  # received
        ),
    ]


def staff_list(demo: Demo) -> list[dict]:
    """Every report in the work list (admin), 200 a page."""
    found: list[dict] = []
    page = 1
    while True:
        body = demo.gateway.call(
            "GET", f"/feedback/reports?page={page}&page_size=200", demo.admin
        ).expect(200)
        found += body["items"]
        if not body["items"] or len(found) >= body["total"]:
            return found
        page += 1


def send_reports(demo: Demo) -> None:
    """Each report not sent yet, then moved along PATH as far as the demo takes it."""
    gateway, admin = demo.gateway, demo.admin
    existing = {r["title"]: r for r in staff_list(demo)}
    for body, steps in reports(demo):
        report = existing.get(body["title"])
        if report is None:
            sent = gateway.call("POST", "/feedback/public/reports", None, body).expect(201)
            demo.count(SERVICE, "citizen reports")
            report = {"tracking_number": sent["tracking_number"], "status": sent["status"]}
        number = report["tracking_number"]
        if steps == 2:
            demo.hint(
                f"feedback: report {number} waits for DINKES's response: log in as "
                f"demo.officer (POST /api/v1/feedback/reports/{number}/respond)"
            )
        for action in PATH[:steps]:
            if report["status"] != FROM[action]:
                continue
            move = {"note": NOTES[action]}
            if action == "disposition":
                move["unit"] = SHOWCASE_UNIT
            report = gateway.call(
                "POST", f"/feedback/reports/{number}/{action}", admin, move
            ).expect(200)
            demo.count(SERVICE, "report moves")


NOTES = {
    "verify": "Laporan lengkap dan dapat ditindaklanjuti.",
    "disposition": "Diteruskan ke unit untuk ditindaklanjuti.",
    "respond": "Terima kasih; unit sedang menyiapkan perbaikan.",
    "resolve": "Antrean daring diuji coba mulai bulan depan.",
}


def ikm_survey(demo: Demo) -> None:
    """The unit's IKM survey of the plan year's second semester: codes, answers, published."""
    gateway, admin = demo.gateway, demo.admin
    unit, year = SHOWCASE_UNIT, demo.province.year + 1
    published = gateway.call("GET", f"/feedback/ikm/results?unit={unit}", None).expect(200)
    if any(s["year"] == year and s["period"] == IKM_PERIOD for s in published):
        return
    open_ = gateway.call("GET", f"/feedback/ikm/surveys?unit={unit}", None).expect(200)
    survey = next((s for s in open_ if s["year"] == year and s["period"] == IKM_PERIOD), None)
    if survey is None:
        body = {"unit": unit, "year": year, "period": IKM_PERIOD, "population": 400}
        survey = gateway.call("POST", "/feedback/ikm/surveys", admin, body).expect(201)
        demo.count(SERVICE, "IKM survey")
    path = f"/feedback/ikm/surveys/{survey['id']}"
    live = gateway.call("GET", path, admin).expect(200)
    answered = (live.get("result") or {}).get("respondents", 0)
    missing = IKM_RESPONDENTS - answered
    if missing > 0:
        codes = gateway.call("POST", f"{path}/codes", admin, {"count": missing}).expect(201)
        for index, code in enumerate(codes["codes"]):
            answers = {element: 2 + _digest(code, element) % 3 for element in IKM_ELEMENTS}
            body = {"code": code, "answers": answers, "gender": "LP"[index % 2]}
            gateway.call("POST", f"{path}/answers", None, body).expect(201)
        demo.count(SERVICE, "IKM answers", missing)
    gateway.call("POST", f"{path}/publish", admin).expect(200)
    demo.count(SERVICE, "IKM result published")


def consultation(demo: Demo) -> None:
    """An open consultation on a draft standard of service, with a few comments."""
    gateway, admin = demo.gateway, demo.admin
    unit = SHOWCASE_UNIT
    listed = gateway.call("GET", f"/feedback/consultations?unit={unit}", None).expect(200)
    found = next((c for c in listed if c["title"] == CONSULTATION), None)
    if found is None:
        body = {
            "unit": unit,
            "title": CONSULTATION,
            "draft": (
                "Standar pelayanan puskesmas: jam layanan 08.00-14.00 WIT, antrean nomor urut, "
                "biaya sesuai peraturan daerah, pengaduan melalui kotak saran dan aplikasi."
            ),
            "closes_on": (datetime.now(WIT).date() + timedelta(days=30)).isoformat(),
        }
        found = gateway.call("POST", "/feedback/consultations", admin, body).expect(201)
        demo.count(SERVICE, "consultation")
    path = f"/feedback/consultations/{found['id']}"
    view = gateway.call("GET", path, None).expect(200)
    if not view["open"]:
        return
    posted = {c["body"] for c in _flatten(view.get("comments") or [])}
    for name, text in COMMENTS:
        if text in posted:
            continue
        body = {"body": text, "website": "", **({"name": name} if name else {})}
        gateway.call("POST", f"{path}/comments", None, body).expect(201)
        demo.count(SERVICE, "consultation comments")


def _flatten(comments: list[dict]) -> list[dict]:
    flat: list[dict] = []
    for comment in comments:
        flat.append(comment)
        flat += _flatten(comment.get("replies") or [])
    return flat


def _digest(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256(":".join(parts).encode()).digest()[:4], "big")


STEPS = (
    Step(SERVICE, "citizen reports and their handling", send_reports),
    Step(SERVICE, "an IKM survey, answered and published", ikm_survey),
    Step(SERVICE, "an open consultation with comments", consultation),
)
