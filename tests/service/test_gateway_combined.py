"""Combined views through the gateway against the real services over HTTP: the dossier (API and
page) with one service down, access by the supervisor chain, the unit dashboard, escaping."""

from __future__ import annotations

import re

import pytest

from chassis.db import Database
from chassis.uow import UnitOfWork
from gateway.users import create_user
from tests.service import appraisal_support as support
from tests.service import web_support as web
from tests.service.web_support import (
    PASSWORD,
    closed_port_url,
    serve,
)

YEAR = support.YEAR
SCRIPT = '<script>alert("x")</script>'


class Platform:
    """Recruitment and appraisal served for real; training down; awards up but with no data."""

    def __init__(self, recruitment, appraisal, awards, keys, events) -> None:
        self.recruitment, self.appraisal, self.keys, self.events = (
            recruitment,
            appraisal,
            keys,
            events,
        )
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


@pytest.fixture
def platform(make_service, keys, employee_events, web_gateway):
    recruitment = make_service("recruitment")
    appraisal = make_service("appraisal")
    awards = make_service("awards")
    world = Platform(recruitment, appraisal, awards, keys, employee_events)
    world.head = world.hire("SETDA", None, "Kepala BKD")
    world.boss = world.hire("BKD", world.head, "Kabid Mutasi")
    world.staff = world.hire("BKD", world.boss, f"Siti {SCRIPT}")
    world.other = world.hire("BKD", world.head, "Budi Lain")
    world.org.open_period(YEAR)
    world.org.open_period(YEAR, "Q1")
    world.org.plan_and_rate(world.staff, world.boss, "BAIK", year=YEAR)
    with (
        serve(recruitment.app) as recruitment_url,
        serve(appraisal.app) as appraisal_url,
        serve(awards.app) as awards_url,
    ):
        app = web_gateway(
            {
                "recruitment": recruitment_url,
                "appraisal": appraisal_url,
                "awards": awards_url,
                "training": closed_port_url(),
            }
        )
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
    assert [m["part"] for m in body["missing"]] == ["needs"]


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
