"""Combined views through the gateway against the real services over HTTP: the dossier (API and
page) with one service down, access by the supervisor chain, the unit dashboard, escaping."""

from __future__ import annotations

import re
from contextlib import ExitStack, contextmanager
from datetime import date

import pytest

from chassis.db import Database
from chassis.uow import UnitOfWork
from gateway.users import create_user
from tests.service import appraisal_support as support
from tests.service import web_support as web
from tests.service.training_courses_support import Training
from tests.service.web_support import (
    PASSWORD,
    closed_port_url,
    serve,
)

YEAR = support.YEAR
SCRIPT = '<script>alert("x")</script>'


class Platform:
    """Recruitment, appraisal and awards served for real; training down or served."""

    def __init__(self, recruitment, appraisal, awards, keys, events) -> None:
        self.recruitment, self.appraisal, self.keys, self.events = (
            recruitment,
            appraisal,
            keys,
            events,
        )
        self.awards = awards
        self.org = support.Org(appraisal, keys, events)
        self.sequence = 0

    def hire(self, unit: str, supervisor: str | None, name: str) -> str:
        """On the roster (recruitment's API) and in appraisal's projection (its event)."""
        self.sequence += 1
        nip = self.events.nip(self.sequence)
        record = self.events.record(nip, unit=unit, supervisor_nip=supervisor, name=name)
        answer = self.recruitment.client.post(
            "/employees",
            json={**record, "appointed_on": record["tmt_cpns"]},
            headers=self.keys.headers("admin"),
        )
        assert answer.status_code == 201, answer.json
        self.appraisal.apply(self.events.appointed(record))
        return nip


@contextmanager
def built(make_service, keys, employee_events, web_gateway, training_up: bool):
    """The platform with its people and accounts; training served or down."""
    recruitment = make_service("recruitment")
    appraisal = make_service("appraisal")
    awards = make_service("awards")
    world = Platform(recruitment, appraisal, awards, keys, employee_events)
    world.training = make_service("training") if training_up else None
    world.head = world.hire("SETDA", None, "Kepala BKD")
    world.boss = world.hire("BKD", world.head, "Kabid Mutasi")
    world.staff = world.hire("BKD", world.boss, f"Siti {SCRIPT}")
    world.other = world.hire("BKD", world.head, "Budi Lain")
    world.org.open_period(YEAR)
    world.org.open_period(YEAR, "Q1")
    world.org.plan_and_rate(world.staff, world.boss, "BAIK", year=YEAR)
    with ExitStack() as stack:
        urls = {
            name: stack.enter_context(serve(service.app))
            for name, service in (
                ("recruitment", recruitment),
                ("appraisal", appraisal),
                ("awards", awards),
                ("training", world.training),
            )
            if service is not None
        }
        app = web_gateway({"training": closed_port_url(), **urls})
        with app.app_context():
            session = Database.state(app).session_factory()
            uow = UnitOfWork(session)
            create_user(uow, "bkd", PASSWORD, ["admin"], unit="BKD")
            create_user(uow, "siti", PASSWORD, ["employee"], world.staff, "BKD")
            create_user(uow, "kepala", PASSWORD, ["supervisor", "employee"], world.head, "SETDA")
            create_user(uow, "kabid", PASSWORD, ["supervisor", "employee"], world.boss, "BKD")
            create_user(uow, "budi", PASSWORD, ["supervisor", "employee"], world.other, "BKD")
            session.commit()
            session.close()
        world.gateway = app
        yield world


@pytest.fixture
def platform(make_service, keys, employee_events, web_gateway):
    with built(make_service, keys, employee_events, web_gateway, training_up=False) as world:
        yield world


@pytest.fixture
def full_platform(make_service, keys, employee_events, web_gateway):
    with built(make_service, keys, employee_events, web_gateway, training_up=True) as world:
        yield world


def bearer(client, username: str) -> dict[str, str]:
    answer = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.json['access_token']}"}


def test_the_dossier_api_is_partial_when_a_service_is_down(platform):
    client = platform.gateway.test_client()

    answer = client.get(
        f"/api/v1/dossier/{platform.staff}?year={YEAR}", headers=bearer(client, "siti")
    )

    body = answer.json
    assert answer.status_code == 200
    assert body["parts"]["profile"]["data"]["name"].startswith("Siti")
    assert body["parts"]["appraisals"]["data"][0]["predikat"] == "BAIK"
    assert body["parts"]["needs"]["status"] == "down"
    assert body["parts"]["eligibility"]["status"] == "empty"
    # Training is down: its three parts are missing, the others (empty or not) are there.
    assert [m["part"] for m in body["missing"]] == ["needs", "jp", "enrolments"]
    assert (body["parts"]["objections"]["status"], body["parts"]["objections"]["data"]) == (
        "ok",
        [],
    )
    assert body["parts"]["awards"]["status"] == "ok"
    assert body["parts"]["awards"]["data"]["items"] == []


def test_the_dossier_has_every_part_when_every_service_answers(full_platform):
    world = full_platform
    org = world.org
    org.plan_and_rate(world.boss, world.head, "SANGAT_BAIK", year=YEAR)
    org.plan_and_rate(world.other, world.head, "SANGAT_BAIK", year=YEAR)
    assert org.set_unit_rating("BKD", "ISTIMEWA").status_code == 200
    finalized = org.finalize("BKD")
    assert finalized.status_code == 200, finalized.json
    filed = org.call(
        "POST",
        f"/appraisals/{world.staff}/{YEAR}/ANNUAL/objection",
        org.as_(world.staff, "employee"),
        {"reason": "Target saya tercapai 110%."},
    )
    assert filed.status_code == 201, filed.json
    record = world.events.record(
        world.staff, unit="BKD", supervisor_nip=world.boss, name="Siti Training"
    )
    training = Training(world.training, world.keys, world.events)
    assert world.training.deliver(world.events.appointed(record)) == ["ack"]
    course = training.course(training.provider(), jp=24)
    seat = training.session(course, date(YEAR, 3, 4), date(YEAR, 3, 8))
    enrolment = training.nominate(seat["session_id"], world.staff)
    training.complete(enrolment["enrolment_id"])
    world.awards.apply(world.events.appointed(record))
    granted = world.awards.client.post(
        "/satyalancana/classes",
        json={"nip": world.staff, "class": "X", "granted_on": "2019-08-17"},
        headers=world.keys.headers("admin"),
    )
    assert granted.status_code == 201, granted.json
    client = world.gateway.test_client()

    answer = client.get(
        f"/api/v1/dossier/{world.staff}?year={YEAR}", headers=bearer(client, "kepala")
    )

    assert answer.status_code == 200
    parts = answer.json["parts"]
    assert answer.json["missing"] == []
    assert [(o["status"], o["previous_predikat"]) for o in parts["objections"]["data"]] == [
        ("PENDING", "BAIK")
    ]
    assert parts["jp"]["status"] == "ok", parts["jp"]
    assert (parts["jp"]["data"]["total"], parts["jp"]["data"]["minimum"]) == (24.0, 20)
    assert [e["status"] for e in parts["enrolments"]["data"]] == ["COMPLETED"]
    assert [(a["kind"], a["award_class"]) for a in parts["awards"]["data"]["items"]] == [
        ("SATYALANCANA_KARYA_SATYA", "X")
    ]

    web.sign_in(client, "siti")
    html = client.get(f"/saya?year={YEAR}").get_data(as_text=True)

    assert "Sebagian data tidak tersedia" not in html
    assert "Keberatan atas penilaian" in html and "Menunggu keputusan" in html
    assert "dari minimal 20 JP" in html and "Terpenuhi" in html
    assert re.search(r'<rect x="0" y="0" width="100.0" height="10" class="bar done"', html)
    assert seat["session_id"] in html and "Satyalancana Karya Satya X" in html


def test_the_supervisor_chain_and_admins_see_a_dossier_and_others_do_not(platform):
    client = platform.gateway.test_client()
    url = f"/api/v1/dossier/{platform.staff}"

    assert client.get(url, headers=bearer(client, "kabid")).status_code == 200
    assert client.get(url, headers=bearer(client, "kepala")).status_code == 200  # two levels up
    assert client.get(url, headers=bearer(client, "bkd")).status_code == 200
    assert client.get(url, headers=bearer(client, "budi")).status_code == 403
    assert client.get(url).status_code == 401


def test_the_dossier_page_says_which_part_is_missing_and_escapes_names(platform):
    client = platform.gateway.test_client()
    web.sign_in(client, "kabid")

    page = client.get(f"/pegawai/{platform.staff}?year={YEAR}")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Sebagian data tidak tersedia" in html and "layanan pelatihan" in html
    assert "Jam Pelajaran tahun ini (layanan pelatihan)" in html
    assert "Tidak ada keberatan." in html and "Belum ada penghargaan." in html
    assert "Baik" in html
    assert SCRIPT not in html and "&lt;script&gt;" in html


def test_my_team_lists_the_supervisors_staff(platform):
    client = platform.gateway.test_client()
    web.sign_in(client, "kabid")

    html = client.get("/tim").get_data(as_text=True)

    assert platform.staff in html and "&lt;script&gt;" in html and SCRIPT not in html
    assert platform.other not in html


def test_the_unit_dashboard_shows_the_calibration_chart(platform):
    client = platform.gateway.test_client()
    api = client.get(f"/api/v1/units/BKD/dashboard?year={YEAR}", headers=bearer(client, "bkd"))
    assert api.status_code == 200
    assert api.json["parts"]["roster"]["data"]["total"] == 3
    assert api.json["parts"]["needs_summary"]["status"] == "down"
    assert (
        client.get("/api/v1/units/SETDA/dashboard", headers=bearer(client, "kabid")).status_code
        == 403
    )

    web.sign_in(client, "bkd")
    html = client.get(f"/unit/BKD?year={YEAR}").get_data(as_text=True)

    assert "Kurva distribusi predikat" in html
    assert re.search(r'<rect x="0" y="0" width="100.0" height="10" class="bar"', html)


def test_an_employee_writes_an_skp_and_text_shows_escaped_to_the_supervisor(platform):
    employee = platform.gateway.test_client()
    web.sign_in(employee, "siti")
    form = employee.get("/kinerja/skp/baru").get_data(as_text=True)
    answer = employee.post(
        "/kinerja/skp/baru",
        data={
            "csrf_token": web.csrf_of(form),
            "year": str(YEAR),
            "period": "Q1",
            "result-0": SCRIPT,
            "indicator-0": "Jumlah berkas",
            "target-0": "100",
        },
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    plan = answer.headers["Location"]

    supervisor = platform.gateway.test_client()
    web.sign_in(supervisor, "kabid")
    page = supervisor.get(plan).get_data(as_text=True)
    assert SCRIPT not in page and "&lt;script&gt;alert" in page
    agreed = supervisor.post(plan, data={"csrf_token": web.csrf_of(page)})
    assert agreed.status_code == 302
    assert "Disetujui atasan" in supervisor.get(plan).get_data(as_text=True)


def test_an_admin_provisions_accounts_from_the_roster_once(platform):
    newcomer = platform.hire("BKD", platform.boss, "Rina Baru")
    client = platform.gateway.test_client()
    headers = bearer(client, "bkd")

    first = client.post("/api/v1/users/provision", json={"unit": "BKD"}, headers=headers)
    again = client.post("/api/v1/users/provision", json={}, headers=headers)

    # The four people with accounts (linked by NIP) get none; the newcomer gets one, once.
    assert first.status_code == 201, first.json
    [made] = first.json["created"]
    assert made["username"] == newcomer and made["roles"] == ["employee"]
    assert again.json["created"] == [] and again.json["remaining"] == 0
    signed = client.post(
        "/api/v1/auth/token", json={"username": newcomer, "password": made["password"]}
    )
    assert signed.status_code == 200 and signed.json["nip"] == newcomer
