"""One employee's awards over HTTP: Sofifi Berprestasi decisions and Satyalancana classes,
readable by the employee, their supervision chain and admins."""

from __future__ import annotations

import pytest

from tests.service.programme_support import YEAR, Province


@pytest.fixture
def awards(make_service):
    return make_service("awards")


@pytest.fixture
def province(awards, keys, employee_events):
    province = Province(awards, keys, employee_events).setup()
    province.title = province.create()["title"]
    ani = province.nominate("ani", category="INOVASI").json["id"]
    budi = province.nominate("budi", category="INOVASI").json["id"]
    m1, m2 = (province.member(f"m{i}", unit="INSPEKTORAT") for i in (1, 2))
    for headers in (m1, m2):
        assert province.score(ani, headers, 90, 80, 80).status_code == 201
        assert province.score(budi, headers, 60, 60, 60).status_code == 201
    assert province.decide([ani]).status_code == 201
    satyalancana = province.awards.client.post(
        "/satyalancana/classes",
        json={"nip": province.nips["ani"], "class": "X", "granted_on": "2019-08-17"},
        headers=province.admin(),
    )
    assert satyalancana.status_code == 201, satyalancana.json
    return province


def awards_of(province, key, headers, query=""):
    url = f"/employees/{province.nips[key]}/awards{query}"
    return province.awards.client.get(url, headers=headers)


def test_an_awardee_sees_the_decision_and_the_satyalancana_newest_first(province):
    response = awards_of(province, "ani", province.employee("ani"))

    assert response.status_code == 200, response.json
    body = response.json
    assert (body["total"], body["page"]) == (2, 1)
    sofifi, satyalancana = body["items"]
    assert (sofifi["kind"], sofifi["programme_id"], sofifi["year"]) == (
        "SOFIFI_BERPRESTASI",
        f"SB-{YEAR}",
        YEAR,
    )
    assert sofifi["category"] == "INOVASI" and sofifi["decided_at"] is not None
    assert sofifi["title"].startswith(province.title)
    assert (satyalancana["kind"], satyalancana["award_class"]) == ("SATYALANCANA_KARYA_SATYA", "X")
    assert satyalancana["title"] == "Satyalancana Karya Satya X"
    assert (satyalancana["granted_on"], satyalancana["decided_at"]) == ("2019-08-17", None)


def test_a_nominee_not_chosen_has_an_empty_page_and_pages_are_bounded(province):
    budi = awards_of(province, "budi", province.admin())
    second = awards_of(province, "ani", province.admin(), "?page=2&page_size=1")
    too_big = awards_of(province, "ani", province.admin(), "?page_size=501")
    bad_nip = province.awards.client.get("/employees/123/awards", headers=province.admin())

    assert (budi.status_code, budi.json["items"], budi.json["total"]) == (200, [], 0)
    assert [i["kind"] for i in second.json["items"]] == ["SATYALANCANA_KARYA_SATYA"]
    assert (too_big.status_code, bad_nip.status_code) == (422, 422)


@pytest.mark.parametrize(
    ("who", "status"),
    [("self", 200), ("sup", 200), ("head", 200), ("admin", 200), ("colleague", 403)],
)
def test_who_reads_an_employees_awards(province, who, status):
    headers = {
        "self": province.employee("ani"),
        "sup": province.supervisor("sup"),
        "head": province.supervisor("head"),
        "admin": province.admin(),
        "colleague": province.employee("budi"),
    }[who]

    response = awards_of(province, "ani", headers)

    assert response.status_code == status, response.json
    if status == 200:
        assert response.json["total"] == 2
