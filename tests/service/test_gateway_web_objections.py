"""The objection pages against the real appraisal service: "Keberatan saya" for the employee,
and for the appraiser's superior the objections to decide and the decision form."""

from __future__ import annotations

import pytest

from chassis.db import Database
from chassis.uow import UnitOfWork
from gateway.users import create_user
from tests.service import web_support as web
from tests.service.appraisal_support import SEVEN_SB, YEAR, build, rate_unit
from tests.service.web_support import PASSWORD, serve

SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
def office(make_service, keys, employee_events, web_gateway):
    service = make_service("appraisal")
    org = build(service, keys, employee_events)
    org.set_unit_rating("BKD", "ISTIMEWA")
    rate_unit(org, SEVEN_SB)
    assert org.finalize("BKD").status_code == 200
    org.objector = org.staff_a[9]  # rated BAIK
    with serve(service.app) as url:
        app = web_gateway({"appraisal": url})
        with app.app_context():
            session = Database.state(app).session_factory()
            uow = UnitOfWork(session)
            create_user(uow, "pegawai", PASSWORD, ["employee"], org.objector, "BKD")
            create_user(uow, "kepala", PASSWORD, ["supervisor", "employee"], org.superior, "SETDA")
            create_user(uow, "kabid", PASSWORD, ["supervisor", "employee"], org.sup_a, "SETDA")
            session.commit()
            session.close()
        org.gateway = app
        yield org


def signed(app, username: str):
    client = app.test_client()
    assert web.sign_in(client, username).status_code == 302
    return client


def post(client, path: str, data: dict):
    token = web.csrf_of(client.get(path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def test_the_employee_objects_and_sees_it_and_the_superior_decides_it(office):
    employee = signed(office.gateway, "pegawai")
    filed = post(employee, f"/kinerja/keberatan/{YEAR}", {"reason": f"Target tercapai {SCRIPT}"})
    assert filed.status_code == 200 and "Keberatan diajukan" in filed.get_data(as_text=True)

    mine = employee.get("/kinerja/keberatan").get_data(as_text=True)
    superior = signed(office.gateway, "kepala")
    listed = superior.get("/kinerja/keberatan").get_data(as_text=True)
    appraiser = signed(office.gateway, "kabid").get("/kinerja/keberatan").get_data(as_text=True)
    objection_id = office.call("GET", "/objections", office.as_(office.objector, "employee")).json[
        0
    ]["id"]
    path = f"/kinerja/keberatan/putuskan/{objection_id}"
    incomplete = post(superior, path, {"upheld": "1", "reason": "Bukti cukup"})
    decided = post(
        superior,
        path,
        {
            "upheld": "1",
            "reason": "Bukti cukup",
            "results_rating": "DI_ATAS",
            "behaviour_rating": "DI_ATAS",
        },
    )

    assert "Menunggu keputusan" in mine and "&lt;script&gt;" in mine and SCRIPT not in mine
    assert f"Putuskan {objection_id}" in listed and office.objector in listed
    assert f"Putuskan {objection_id}" not in appraiser  # the appraiser does not decide
    assert incomplete.status_code == 422
    assert 'href="#results_rating"' in incomplete.get_data(as_text=True)
    assert decided.status_code == 302
    after = employee.get("/kinerja/keberatan").get_data(as_text=True)
    assert "Dikabulkan" in after and "Sangat Baik" in after


def test_only_the_superior_opens_the_decision_form(office):
    employee = signed(office.gateway, "pegawai")
    post(employee, f"/kinerja/keberatan/{YEAR}", {"reason": "Target tercapai"})
    objection_id = office.call("GET", "/objections", office.as_(office.objector, "employee")).json[
        0
    ]["id"]

    assert employee.get(f"/kinerja/keberatan/putuskan/{objection_id}").status_code == 403
    answer = post(
        signed(office.gateway, "kabid"),
        f"/kinerja/keberatan/putuskan/{objection_id}",
        {"upheld": "0", "reason": "Tidak"},
    )
    assert answer.status_code == 403
