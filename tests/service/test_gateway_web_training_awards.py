"""The training and awards pages through the gateway against the real services over HTTP: the
catalogue and a request for a place, the JP bar, compliance per unit with its exports, the annual
plan as a job followed on the job page, the committee's scoring with recusal, the public list,
and escaping of what staff typed."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from babel.dates import format_date
from openpyxl import load_workbook

from chassis.db import Database
from chassis.jobrunner import JobRunner
from chassis.uow import UnitOfWork
from gateway.combined import this_year
from gateway.users import create_user
from services.training.jobs import JOBS
from tests.service.programme_support import Province
from tests.service.training_courses_support import Training
from tests.service.web_support import PASSWORD, csrf_of, serve, sign_in

SCRIPT = '<script>alert("x")</script>'


class World:
    """Training and awards served for real, a gateway in front, and the people who act."""

    training: Training
    province: Province
    gateway: object
    nip: str
    past: dict
    future: dict

    def client(self, username: str):
        client = self.gateway.test_client()
        assert sign_in(client, username).status_code == 302
        return client


def post(client, path: str, data: dict):
    """A form post with the page's CSRF token."""
    token = csrf_of(client.get(path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


@pytest.fixture
def world(make_service, keys, employee_events, web_gateway):
    w = World()
    training = Training(make_service("training"), keys, employee_events)
    w.training = training
    w.nip = training.appoint(1)
    provider = training.provider()
    year, today = this_year(), date.today()
    start = max(date(year, 1, 1), today - timedelta(days=10))
    past_course = training.course(provider, "Kerja sama", jp=12, title=f"Kerja sama {SCRIPT}")
    w.past = training.session(past_course, start, start, capacity=5)
    future_course = training.course(provider, "Pelayanan publik", jp=16)
    w.future = training.session(future_course, today + timedelta(days=5), today + timedelta(days=6))
    done = training.nominate(w.past["session_id"], w.nip)
    training.complete(done["enrolment_id"])
    awards = make_service("awards")
    w.province = Province(awards, keys, employee_events).setup()
    w.province.create(min_scorers=1)
    nominated = w.province.nominate("ani")
    assert nominated.status_code == 201, nominated.json
    w.nomination = nominated.json["id"]
    with serve(training.service.app) as training_url, serve(awards.app) as awards_url:
        app = web_gateway({"training": training_url, "awards": awards_url})
        with app.app_context():
            session = Database.state(app).session_factory()
            uow = UnitOfWork(session)
            create_user(uow, "bkd", PASSWORD, ["admin"], unit="BKD")
            create_user(uow, "siti", PASSWORD, ["employee"], w.nip, "BKD")
            # Committee members: one of the nominee's unit (must recuse), one from elsewhere.
            create_user(uow, "panitia-bkd", PASSWORD, ["committee"], None, "BKD")
            create_user(uow, "panitia-ins", PASSWORD, ["committee"], None, "INSPEKTORAT")
            session.commit()
            session.close()
        w.gateway = app
        yield w


def test_the_catalogue_escapes_titles_and_an_employee_asks_for_a_place(world):
    client = world.client("siti")
    year = world.future["starts_on"][:4]

    catalogue = client.get(f"/pelatihan?year={year}").get_data(as_text=True)
    assert "Pelatihan Pelayanan publik" in catalogue
    past = client.get(f"/pelatihan/sesi/{world.past['session_id']}").get_data(as_text=True)
    assert "<script>alert" not in past and "&lt;script&gt;" in past

    path = f"/pelatihan/sesi/{world.future['session_id']}"
    asked = post(client, path, {"action": "request", "note": f"Mohon {SCRIPT}"})
    assert asked.status_code == 302 and asked.headers["Location"].endswith("/pelatihan/saya")
    mine = client.get("/pelatihan/saya").get_data(as_text=True)
    assert "Diminta, menunggu keputusan atasan" in mine
    assert "Mohon &lt;script&gt;" in mine and "<script>alert" not in mine

    again = post(client, path, {"action": "request"})
    html = again.get_data(as_text=True)
    assert again.status_code == 422
    assert 'class="error-summary"' in html and 'href="#need_id"' in html


def test_my_jp_bar_shows_the_share_of_the_twenty_jp_minimum(world):
    html = world.client("siti").get("/pelatihan/saya").get_data(as_text=True)

    assert "12 JP dari minimal 20 JP" in html
    assert 'width="60.0"' in html  # 12 of 20 JP
    assert "Kurang 8 JP" in html


def test_the_jp_page_reads_in_english_too(world):
    client = world.client("siti")
    client.get("/bahasa/en")

    html = client.get("/pelatihan/saya").get_data(as_text=True)

    assert "12 JP of at least 20 JP" in html and "My enrolments" in html


def test_the_jp_bar_is_for_employees_only(world):
    assert world.client("panitia-ins").get("/pelatihan/saya").status_code == 403


def test_compliance_per_unit_is_a_chart_with_csv_and_xlsx_exports(world):
    client = world.client("bkd")
    year = this_year()

    html = client.get("/pelatihan/bkd/kepatuhan").get_data(as_text=True)
    assert "<svg" in html and "BKD" in html and 'width="0.0"' in html  # 0 of 1 at 20 JP

    answer = client.get(f"/pelatihan/bkd/kepatuhan-{year}.csv")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["unit", "employees", "compliant"]
    assert rows[1][:3] == ["BKD", "1", "0"]
    book = load_workbook(io.BytesIO(client.get(f"/pelatihan/bkd/kepatuhan-{year}.xlsx").data))
    header = [c.value for c in next(book.active.iter_rows())]
    assert header[:3] == ["unit", "employees", "compliant"]
    ledger = client.get(f"/pelatihan/bkd/buku-jp-{year}.csv")
    assert ledger.status_code == 200 and world.nip in ledger.get_data(as_text=True)


def test_the_annual_plan_runs_as_a_job_followed_on_its_page_until_done(world):
    client = world.client("bkd")
    path = "/pelatihan/bkd/rencana"

    refused = post(client, path, {"budget": "banyak", "method": "milp"})
    assert refused.status_code == 422 and 'href="#budget"' in refused.get_data(as_text=True)

    started = post(client, path, {"budget": "10.000.000", "method": "milp"})
    assert started.status_code == 302
    job_page = started.headers["Location"]
    assert "/pekerjaan/training/" in job_page
    waiting = client.get(job_page).get_data(as_text=True)
    assert "Menunggu giliran" in waiting and "Perbarui status" in waiting
    assert 'http-equiv="refresh"' not in waiting  # reloading by itself is the user's choice
    auto = client.get(job_page + "?otomatis=1").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in auto and "Hentikan pembaruan" in auto

    training = world.training.service
    runner = JobRunner(training.engine, JOBS, training.spec.outbox, lease_seconds=30)
    assert runner.run_once() is True
    done = client.get(job_page + "?otomatis=1").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in done and "Berhasil" in done and "100%" in done
    plan_link = done.split('class="button" href="')[1].split('"')[0]
    plan = client.get(plan_link)
    assert plan.status_code == 200 and "Tetapkan rencana" in plan.get_data(as_text=True)


def test_a_member_of_the_nominees_unit_sees_why_they_recuse_and_cannot_score(world):
    client = world.client("panitia-bkd")
    path = f"/penghargaan/usulan/{world.nomination}"

    html = client.get(path).get_data(as_text=True)
    assert "Anda bekerja di unit kerja yang sama dengan calon" in html
    assert "<dd>ASN Teladan</dd>" in html  # the category's name, not its code
    assert 'name="score-KINERJA"' not in html
    listed = client.get("/penghargaan/SB-2024").get_data(as_text=True)
    assert "Mengundurkan diri" in listed

    forced = post(client, path, {"action": "score", **_sheet()})
    assert forced.status_code == 422 and "SAME_UNIT" in forced.get_data(as_text=True)


def _sheet(kinerja: str = "90") -> dict[str, str]:
    return {"score-KINERJA": kinerja, "score-INTEGRITAS": "80", "score-INOVASI": "70,5"}


def test_a_member_scores_then_bkd_decides_and_the_public_list_shows_the_winner(world):
    client = world.client("panitia-ins")
    path = f"/penghargaan/usulan/{world.nomination}"

    bad = post(client, path, {"action": "score", **_sheet("seratus")})
    assert bad.status_code == 422 and 'href="#score-KINERJA"' in bad.get_data(as_text=True)
    scored = post(client, path, {"action": "score", **_sheet()})
    assert scored.status_code == 302
    html = client.get(path).get_data(as_text=True)
    assert "Sudah dinilai" in html and "panitia-ins" in html and "83,1" in html

    public = world.gateway.test_client()
    assert "belum diumumkan" in public.get("/penghargaan/sofifi-berprestasi?year=2024").get_data(
        as_text=True
    )
    admin = world.client("bkd")
    decided = post(admin, "/penghargaan/bkd/SB-2024", {"awards": str(world.nomination)})
    assert decided.status_code == 302, decided.get_data(as_text=True)
    rows = admin.get("/penghargaan/bkd/SB-2024/penerima.csv").get_data(as_text=True)
    assert "Pegawai Ani" in rows and "SB-2024-0001" in rows
    listed = public.get("/penghargaan/sofifi-berprestasi?year=2024").get_data(as_text=True)
    assert "Pegawai Ani" in listed and "ASN Teladan" in listed


def test_bkd_publishes_a_programme_and_errors_name_the_field(world):
    client = world.client("bkd")
    dates = dict.fromkeys(
        (
            "nominations_open",
            "nominations_close",
            "scoring_open",
            "scoring_close",
            "decision_on",
            "announcement_on",
        ),
        date.today().isoformat(),
    )
    body = {
        "year": "2025",
        "title": "Sofifi Berprestasi 2025",
        "total_budget": "20.000.000",
        **dates,
        "category-0-code": "INOVASI",
        "category-0-name": "Inovasi",
        "category-0-quota": "1",
        "category-0-incentive_amount": "10.000.000",
        "criterion-0-code": "KINERJA",
        "criterion-0-name": "Kinerja",
        "criterion-0-weight": "60",
    }

    refused = post(client, "/penghargaan/bkd/baru", body)
    assert refused.status_code == 422  # the weights do not add up to 100
    assert 'href="#criterion-0-code"' in refused.get_data(as_text=True)
    made = post(client, "/penghargaan/bkd/baru", {**body, "criterion-0-weight": "100"})
    assert made.status_code == 302 and made.headers["Location"].endswith("/penghargaan/SB-2025")


def test_bkd_opens_an_idp_from_the_talent_map_and_the_employee_reads_it(world):
    from tests.service.test_training_idp import place

    place(world.training, world.nip, "DI_BAWAH", 70)  # 2025: below expectation, low potential
    admin = world.client("bkd")

    box = admin.get(f"/karier/talenta?nip={world.nip}&year=2025", follow_redirects=True)
    assert box.status_code == 200 and '<td class="here">1' in box.get_data(as_text=True)
    made = post(admin, "/karier/idp", {"nip": world.nip, "year": "2025"})
    assert made.status_code == 302
    path = made.headers["Location"]
    body = {"kind": "COACHING_MENTORING", "title": f"Mentoring {SCRIPT}", "target_date": ""}
    refused = post(admin, path, body)
    assert refused.status_code == 422 and 'href="#target_date"' in refused.get_data(as_text=True)
    added = post(admin, path, {**body, "target_date": "2026-09-30"})
    assert added.status_code == 302

    html = world.client("siti").get(path).get_data(as_text=True)
    assert "Box 1" in html and "Mentoring &lt;script&gt;" in html and "<script>alert" not in html
    assert world.client("siti").get(f"/karier/talenta/{world.nip}").status_code == 403


def test_bkd_decides_a_request_and_the_employee_sees_the_seat(world):
    asked = post(
        world.client("siti"), f"/pelatihan/sesi/{world.future['session_id']}", {"action": "request"}
    )
    assert asked.status_code == 302
    admin = world.client("bkd")
    page = admin.get("/pelatihan/permintaan").get_data(as_text=True)
    enrolment_id = page.split('name="enrolment_id" value="')[1].split('"')[0]

    decided = post(
        admin, "/pelatihan/permintaan", {"enrolment_id": enrolment_id, "decision": "approve"}
    )

    assert decided.status_code == 302
    assert "Tidak ada permintaan" in admin.get("/pelatihan/permintaan").get_data(as_text=True)
    assert "Terdaftar" in world.client("siti").get("/pelatihan/saya").get_data(as_text=True)


def test_bkd_adds_a_session_and_a_missing_capacity_is_named(world):
    admin = world.client("bkd")
    body = {
        "action": "session",
        "session-course_id": world.future["course_id"],
        "session-starts_on": world.future["starts_on"],
        "session-ends_on": world.future["ends_on"],
        "session-place": "Ternate",
        "session-capacity": "",
    }

    refused = post(admin, "/pelatihan/bkd/katalog", body)
    assert refused.status_code == 422
    assert 'href="#session-capacity"' in refused.get_data(as_text=True)
    made = post(admin, "/pelatihan/bkd/katalog", {**body, "session-capacity": "25"})
    assert made.status_code == 302
    year = world.future["starts_on"][:4]
    assert "Ternate" in admin.get(f"/pelatihan?year={year}").get_data(as_text=True)


def test_a_supervisor_nominates_and_an_ineligible_nominee_is_refused_on_the_nip(world):
    province = world.province
    with world.gateway.app_context():
        session = Database.state(world.gateway).session_factory()
        create_user(UnitOfWork(session), "kasubbag", PASSWORD, ["supervisor"], province.nips["sup"])
        session.commit()
        session.close()
    client = world.client("kasubbag")
    body = {"category": "INOVASI", "statement": "Aplikasi antrean daring."}

    refused = post(client, "/penghargaan/SB-2024/usulkan", {**body, "nip": province.nips["dina"]})
    assert refused.status_code == 422 and 'href="#nip"' in refused.get_data(as_text=True)
    made = post(client, "/penghargaan/SB-2024/usulkan", {**body, "nip": province.nips["budi"]})
    assert made.status_code == 302 and "/penghargaan/usulan/" in made.headers["Location"]
    assert "Aplikasi antrean daring." in client.get(made.headers["Location"]).get_data(as_text=True)


def test_bkd_moves_the_timeline_and_an_order_out_of_place_is_refused(world):
    admin = world.client("bkd")
    later = (date.today() + timedelta(days=30)).isoformat()

    refused = post(admin, "/penghargaan/bkd/SB-2024/jadwal", {"nominations_close": later})
    assert refused.status_code == 422  # nominations would close after scoring opens
    moved = post(
        admin,
        "/penghargaan/bkd/SB-2024/jadwal",
        dict.fromkeys(("scoring_open", "scoring_close", "decision_on", "announcement_on"), later),
    )
    assert moved.status_code == 302
    html = admin.get("/penghargaan/SB-2024").get_data(as_text=True)
    shown = format_date(date.today() + timedelta(days=30), "d MMMM y", locale="id")
    assert f"<dd>{shown}</dd>" in html  # the decision day moved


def test_bkd_records_a_pass_which_needs_its_certificate(world):
    session_id = world.past["session_id"]
    world.training.nominate(session_id, world.training.appoint(2))
    admin = world.client("bkd")
    path = f"/pelatihan/bkd/sesi/{session_id}/peserta"
    page = admin.get(path).get_data(as_text=True)
    enrolment_id = page.split('name="enrolment_id" value="')[1].split('"')[0]

    refused = post(admin, path, {"enrolment_id": enrolment_id, "result": "passed"})
    assert refused.status_code == 422
    assert f'href="#certificate-{enrolment_id}"' in refused.get_data(as_text=True)
    body = {"enrolment_id": enrolment_id, "result": "passed", "certificate_number": "SERT-9"}
    assert post(admin, path, body).status_code == 302
    assert "Sertifikat SERT-9" in admin.get(path).get_data(as_text=True)
