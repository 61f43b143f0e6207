"""The citizen-feedback pages of the web client against the real feedback service over HTTP:
sending and following a report, duplicates, an attachment, the officer's queue and moves, the
IKM survey and results, consultations, the statistics export, and citizens' text as text."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image

from chassis.db import Database
from chassis.uow import UnitOfWork
from contracts.feedback import IKM_ELEMENTS
from gateway.users import create_user
from gateway.web.render import WIT
from gateway.web.sla import last_day_to_act, working_day_rule
from tests.service import web_support as web
from tests.service.feedback_support import Clock
from tests.service.web_support import PASSWORD, serve

UNIT = "DPMPTSP"
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class Desk:
    """The feedback service served for real, a gateway in front, and its staff accounts."""

    def __init__(self, service, gateway, keys) -> None:
        self.service, self.gateway, self.keys = service, gateway, keys
        self.admin = keys.headers("admin", subject="verifikator")

    def client(self, username: str | None = None):
        client = self.gateway.test_client()
        if username:
            assert web.sign_in(client, username).status_code == 302
        return client

    def api(self, method: str, path: str, body=None, status: int = 200, headers=None):
        answer = self.service.client.open(
            path, method=method, json=body, headers=headers or self.admin
        )
        assert answer.status_code == status, answer.get_json()
        return answer.get_json()

    def post(self, client, path: str, data: dict, **kwargs):
        """A form post with the CSRF token of the page at `path`."""
        token = web.csrf_of(client.get(path).get_data(as_text=True))
        return client.post(path, data={**data, "csrf_token": token}, **kwargs)

    def send(self, client, **fields) -> tuple[str, str]:
        """Send a report through the page; its tracking number and secret."""
        form = {
            "kind": "COMPLAINT",
            "unit": UNIT,
            "category": "Perizinan",
            "title": "Izin usaha tidak kunjung terbit",
            "body": "Sudah tiga minggu menunggu izin usaha mikro.",
            "privacy": "PUBLIC",
            "action": "send",
            **fields,
        }
        answer = self.post(client, "/pengaduan/lapor", form)
        html = answer.get_data(as_text=True)
        assert answer.status_code == 201, html
        number = re.search(r'id="tracking-number">([^<]+)<', html).group(1)
        secret = re.search(r'id="tracking-secret">([^<]+)<', html).group(1)
        return number, secret

    def to_unit(self, number: str) -> None:
        """The verifiers verify and disposition the report to UNIT (API)."""
        self.api("POST", f"/reports/{number}/verify", {})
        self.api("POST", f"/reports/{number}/disposition", {"unit": UNIT})


@pytest.fixture
def desk(make_service, keys, web_gateway):
    service = make_service("feedback")
    with serve(service.app) as url:
        app = web_gateway({"feedback": url})
        with app.app_context():
            session = Database.state(app).session_factory()
            uow = UnitOfWork(session)
            create_user(uow, "bkd", PASSWORD, ["admin"], unit="BKD")
            create_user(uow, "petugas", PASSWORD, ["officer"], unit=UNIT)
            create_user(uow, "siti", PASSWORD, ["employee"], unit=UNIT)
            session.commit()
            session.close()
        yield Desk(service, app, keys)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_a_citizen_sends_a_report_with_a_photo_and_follows_it(desk):
    citizen = desk.client()
    number, secret = desk.send(
        citizen, file=(io.BytesIO(png()), "foto.png"), name="Nurlaila", email="n@example.org"
    )
    assert number.startswith("LPR-")

    found = desk.post(citizen, "/pengaduan/lacak", {"tracking_number": number, "secret": secret})
    html = found.get_data(as_text=True)
    assert found.status_code == 200
    assert "Izin usaha tidak kunjung terbit" in html and "Diterima" in html
    report = desk.api("GET", f"/reports/{number}")
    assert len(report["attachments"]) == 1 and report["attachments"][0]["media_type"] == "image/png"
    wrong = desk.post(citizen, "/pengaduan/lacak", {"tracking_number": number, "secret": "salah"})
    assert wrong.status_code == 422 and "kode rahasia salah" in wrong.get_data(as_text=True)
    assert "Nurlaila" not in html and "n@example.org" not in html


def test_an_empty_report_names_each_missing_field_and_a_refused_contact_is_explained(desk):
    citizen = desk.client()

    empty = desk.post(citizen, "/pengaduan/lapor", {"action": "send"})
    anonymous = desk.post(
        citizen,
        "/pengaduan/lapor",
        {
            "action": "send",
            "kind": "COMPLAINT",
            "unit": UNIT,
            "category": "Perizinan",
            "title": "Antrean",
            "body": "Lama",
            "privacy": "ANONYMOUS",
            "email": "saya@example.org",
        },
    )

    html = empty.get_data(as_text=True)
    assert empty.status_code == 422
    for field in ("unit", "category", "title", "body"):
        assert f'href="#{field}"' in html
    assert anonymous.status_code == 422
    assert 'class="error-summary"' in anonymous.get_data(as_text=True)


def test_similar_open_reports_are_offered_before_and_after_sending(desk):
    citizen = desk.client()
    desk.send(citizen, title="Loket perizinan tutup siang hari")

    before = desk.post(
        citizen,
        "/pengaduan/lapor",
        {"action": "similar", "unit": UNIT, "category": "Perizinan", "title": "Loket"},
    )
    after = desk.post(
        citizen,
        "/pengaduan/lapor",
        {
            "action": "send",
            "kind": "COMPLAINT",
            "unit": UNIT,
            "category": "Perizinan",
            "title": "Loket lagi",
            "body": "Tutup lagi",
            "privacy": "PUBLIC",
        },
    )

    assert before.status_code == 200
    assert "Loket perizinan tutup siang hari" in before.get_data(as_text=True)
    assert 'value="Loket"' in before.get_data(as_text=True)  # what was typed is kept
    assert "Loket perizinan tutup siang hari" in after.get_data(as_text=True)


def test_the_officer_sees_the_unit_queue_with_sla_flags_and_responds(desk):
    citizen = desk.client()
    number, secret = desk.send(citizen)
    waiting, _secret = desk.send(citizen, title="Belum didisposisikan")
    desk.to_unit(number)
    officer = desk.client("petugas")

    queue = officer.get("/pengaduan/kelola").get_data(as_text=True)
    page = officer.get(f"/pengaduan/kelola/laporan/{number}").get_data(as_text=True)
    blank = desk.post(
        officer, f"/pengaduan/kelola/laporan/{number}", {"action": "respond", "note": ""}
    )
    done = desk.post(
        officer,
        f"/pengaduan/kelola/laporan/{number}",
        {"action": "respond", "note": "Izin terbit besok; mohon maaf."},
    )

    assert number in queue and waiting not in queue  # only what reached the unit
    assert "Tepat waktu" in queue or "Hampir jatuh tempo" in queue
    assert 'value="respond"' in page and 'value="verify"' not in page
    assert blank.status_code == 422 and 'href="#respond-note"' in blank.get_data(as_text=True)
    assert done.status_code == 302
    assert desk.api("GET", f"/reports/{number}")["status"] == "IN_FOLLOW_UP"
    timeline = desk.post(citizen, "/pengaduan/lacak", {"tracking_number": number, "secret": secret})
    assert "Izin terbit besok" in timeline.get_data(as_text=True)
    assert officer.get(f"/pengaduan/kelola/laporan/{waiting}").status_code == 403


def test_a_citizens_html_shows_as_text_on_every_staff_page(desk):
    citizen = desk.client()
    number, _secret = desk.send(citizen, title=f"Judul {SCRIPT}", body=f"Isi {SCRIPT}")
    desk.to_unit(number)
    consultation = desk.api(
        "POST",
        "/consultations",
        {
            "unit": UNIT,
            "title": "Standar pelayanan",
            "draft": "Rancangan",
            "closes_on": (date.today() + timedelta(days=10)).isoformat(),
        },
        201,
    )
    path = f"/pengaduan/konsultasi/{consultation['id']}"
    assert desk.post(citizen, path, {"body": SCRIPT, "name": SCRIPT}).status_code == 200
    admin, officer = desk.client("bkd"), desk.client("petugas")

    pages = [
        admin.get("/pengaduan/kelola"),
        admin.get(f"/pengaduan/kelola/laporan/{number}"),
        officer.get("/pengaduan/kelola"),
        officer.get(f"/pengaduan/kelola/laporan/{number}"),
        officer.get(f"/pengaduan/kelola/konsultasi/{consultation['id']}"),
        citizen.get(path),
    ]

    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 200, html
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert" in html


def test_only_staff_open_the_queue_and_only_admins_see_the_contact(desk):
    citizen = desk.client()
    number, _secret = desk.send(citizen, name="Nurlaila", email="nurlaila@example.org")
    desk.to_unit(number)

    assert desk.client().get("/pengaduan/kelola").status_code == 302
    assert desk.client("siti").get("/pengaduan/kelola").status_code == 403
    admin_page = desk.client("bkd").get(f"/pengaduan/kelola/laporan/{number}")
    officer_page = desk.client("petugas").get(f"/pengaduan/kelola/laporan/{number}")
    assert "nurlaila@example.org" in admin_page.get_data(as_text=True)
    assert "nurlaila@example.org" not in officer_page.get_data(as_text=True)
    assert 'value="verify"' not in admin_page.get_data(as_text=True)  # already verified
    assert 'value="close"' not in officer_page.get_data(as_text=True)


def test_a_citizen_answers_the_ikm_survey_once_and_the_result_is_charted(desk):
    survey = desk.api(
        "POST",
        "/ikm/surveys",
        {"unit": UNIT, "year": date.today().year, "period": "S1", "population": 100},
        201,
    )
    codes = desk.api("POST", f"/ikm/surveys/{survey['id']}/codes", {"count": 2}, 201)["codes"]
    citizen = desk.client()
    path = f"/pengaduan/survei/{survey['id']}"
    answers = dict.fromkeys(IKM_ELEMENTS, "4") | {"requirements": "3"}

    missing = desk.post(citizen, path, {"code": codes[0]})
    first = desk.post(citizen, path, {"code": codes[0], **answers, "gender": "P"})
    again = desk.post(citizen, path, {"code": codes[0], **answers})
    foreign = desk.post(citizen, path, {"code": "BUKANKODE", **answers})
    desk.post(citizen, path, {"code": codes[1], **answers})
    desk.api("POST", f"/ikm/surveys/{survey['id']}/publish")
    results = citizen.get(f"/pengaduan/hasil-ikm?unit={UNIT}").get_data(as_text=True)

    assert missing.status_code == 422 and 'href="#staff_behaviour"' in missing.get_data(
        as_text=True
    )
    assert first.status_code == 201 and "Terima kasih" in first.get_data(as_text=True)
    assert again.status_code == 422 and "sudah dipakai" in again.get_data(as_text=True)
    assert foreign.status_code == 422 and "tidak berlaku" in foreign.get_data(as_text=True)
    # NRR 3.89 on requirements... IKM = (3 + 8 * 4) / 9 * 25 = 97.22 -> A
    assert "<svg" in results and "97,22" in results and "(A, Sangat Baik)" in results


def test_an_admin_downloads_the_statistics_and_an_officer_may_not(desk):
    citizen = desk.client()
    desk.send(citizen)
    desk.send(citizen, unit="DINKES", title="=HYPERLINK(1)")
    admin = desk.client("bkd")

    csv = admin.get("/pengaduan/kelola/statistik?unduh=csv")
    xlsx = admin.get("/pengaduan/kelola/statistik?unduh=xlsx")
    public = citizen.get("/pengaduan/statistik").get_data(as_text=True)

    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "unit,received,open,resolved,responded,mean_response_hours"
    assert sorted(lines[1:]) == ["DINKES,1,1,0,0,", f"{UNIT},1,1,0,0,"]
    assert xlsx.data[:2] == b"PK"
    assert UNIT in public and "DINKES" in public
    assert desk.client("petugas").get("/pengaduan/kelola/statistik").status_code == 403


def test_the_officer_opens_a_consultation_and_hides_a_comment_with_a_reason(desk):
    officer = desk.client("petugas")
    closes = (date.today() + timedelta(days=7)).isoformat()
    made = desk.post(
        officer,
        "/pengaduan/kelola/konsultasi",
        {"title": "Jam layanan baru", "draft": "Loket buka 07.30", "closes_on": closes},
    )
    assert made.status_code == 302
    consultation = desk.api("GET", f"/consultations?unit={UNIT}")[0]
    assert consultation["unit"] == UNIT  # the officer's own unit, from the account
    citizen = desk.client()
    path = f"/pengaduan/konsultasi/{consultation['id']}"
    desk.post(citizen, path, {"body": "Setuju", "name": "Ani"})
    comment = desk.api("GET", f"/consultations/{consultation['id']}")["comments"][0]
    staff = f"/pengaduan/kelola/konsultasi/{consultation['id']}"

    no_reason = desk.post(officer, staff, {"comment": comment["id"], "hidden": "1"})
    hidden = desk.post(
        officer, staff, {"comment": comment["id"], "hidden": "1", "reason": "Promosi"}
    )

    assert no_reason.status_code == 422
    assert hidden.status_code == 302
    assert "disembunyikan oleh moderator" in citizen.get(path).get_data(as_text=True)
    assert "Promosi" in officer.get(staff).get_data(as_text=True)


def test_the_queue_flags_overdue_and_near_due_reports(desk):
    citizen = desk.client()
    clock = Clock(datetime.now(UTC) - timedelta(days=20))
    desk.service.app.config["FEEDBACK_CLOCK"] = clock
    late, _secret = desk.send(citizen, title="Lama sekali")
    desk.to_unit(late)
    today = datetime.now(WIT).date()
    rule = working_day_rule(desk.api("GET", f"/calendar/{today.year}"))
    near = None
    for back in range(1, 12):  # a disposition whose 5th working day is today or the next one
        clock.set(datetime.now(UTC) - timedelta(days=back))
        number, _secret = desk.send(citizen, title=f"Hampir {back}")
        desk.to_unit(number)
        due = date.fromisoformat(desk.api("GET", f"/reports/{number}")["due_on"])
        if today <= due <= last_day_to_act(today, rule):
            near = number
            break
    clock.set(datetime.now(UTC))
    fresh, _secret = desk.send(citizen, title="Baru")
    desk.to_unit(fresh)

    queue = desk.client("petugas").get("/pengaduan/kelola").get_data(as_text=True)
    overdue_only = desk.client("bkd").get("/pengaduan/kelola?overdue=1").get_data(as_text=True)

    def flag(number: str) -> str:
        return re.search(rf'<tr class="sla-([a-z_]+)"><td[^>]*><a [^>]*>{number}<', queue).group(1)

    assert flag(late) == "overdue" and "Terlambat" in queue
    assert near is not None and flag(near) == "near_due" and "Hampir jatuh tempo" in queue
    assert flag(fresh) == "on_time"
    assert late in overdue_only and fresh not in overdue_only


def test_the_report_form_needs_its_csrf_token_and_speaks_english_too(desk):
    citizen = desk.client()

    forged = citizen.post("/pengaduan/lapor", data={"action": "send", "title": "x"})
    citizen.get("/bahasa/en")
    english = citizen.get("/pengaduan/lapor").get_data(as_text=True)

    assert forged.status_code == 400
    assert desk.api("GET", "/public/reports/statistics")["units"] == []  # nothing was sent
    assert "Send the report" in english and "Kind of report (required)" in english


def test_the_admin_opens_a_survey_the_officer_issues_codes_and_the_admin_publishes(desk):
    admin, officer = desk.client("bkd"), desk.client("petugas")
    year = date.today().year

    opened = desk.post(
        admin,
        "/pengaduan/kelola/ikm",
        {"unit": UNIT, "year": str(year), "period": "Q1", "population": "30"},
    )
    survey_id = desk.api("GET", f"/ikm/surveys?unit={UNIT}")[0]["id"]
    path = f"/pengaduan/kelola/ikm/{survey_id}"
    issued = desk.post(officer, path, {"action": "codes", "count": "3"})
    codes = re.findall(r'<li class="secret">([^<]+)</li>', issued.get_data(as_text=True))
    answers = dict.fromkeys(IKM_ELEMENTS, "3")
    answered = desk.post(
        desk.client(), f"/pengaduan/survei/{survey_id}", {"code": codes[0], **answers}
    )
    officer_publish = desk.post(officer, path, {"action": "publish"})
    published = desk.post(admin, path, {"action": "publish"})

    assert opened.status_code == 302
    assert issued.status_code == 200 and len(codes) == 3
    assert answered.status_code == 201
    assert 'value="publish"' not in officer.get(path).get_data(as_text=True)
    assert officer_publish.status_code == 403  # publishing is the admins' (the service says)
    assert published.status_code == 302
    page = admin.get(f"/pengaduan/kelola/ikm?unit={UNIT}").get_data(as_text=True)
    assert "75 (C, " in page and "<svg" in page  # 9 elements of 3: IKM 75.00, category C
