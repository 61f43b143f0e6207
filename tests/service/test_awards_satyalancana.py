"""Satyalancana Karya Satya through the awards service: the roster, unpaid leave and sanctions
arrive as events; the proposal list, its exports and the classes received are read over HTTP."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.service.awards_support import sanction

YEAR = 2025


@pytest.fixture
def awards(make_service):
    return make_service("awards")


@pytest.fixture
def admin(keys):
    return keys.headers("admin")


@pytest.fixture
def staff(awards, employee_events):
    """Five BKD staff and one at DINKES, with CLTN, a sanction and a PPPK among them."""
    e = employee_events

    def person(sequence, tmt, **overrides):
        nip = e.nip(sequence, birth=date(1975, 1, 1), tmt=(tmt.year, tmt.month))
        record = e.record(nip, name=f"Pegawai {sequence}", tmt_cpns=tmt.isoformat(), **overrides)
        return nip, record

    people = {
        "ten": person(1, date(2015, 8, 1)),
        "twenty": person(2, date(2005, 3, 1)),
        "leave": person(3, date(2008, 1, 1)),
        "sanctioned": person(4, date(2004, 1, 1)),
        "pppk": person(5, date(2010, 1, 1), status="PPPK"),
        "dinkes": person(6, date(2014, 1, 1), unit="DINKES"),
    }
    events = []
    for key, (_nip, record) in people.items():
        if key == "leave":
            # CLTN 2016-2017: counting starts again on 2018-01-01, 7 years by 2025.
            leave = [{"start": "2016-01-01", "end": "2017-12-31"}]
            events.append(e.appointed({**record, "unpaid_leave": leave}))
        else:
            events.append(e.appointed(record))
    nips = {key: nip for key, (nip, _r) in people.items()}
    events.append(
        sanction(
            nips["sanctioned"],
            level="BERAT",
            effective_from="2019-01-01",
            effective_until="2019-12-31",
        )
    )
    assert set(awards.deliver(*events)) == {"ack"}
    return nips


def by_nip(rows):
    return {row["nip"]: row for row in rows}


def test_a_units_proposal_says_who_and_why_not(awards, admin, staff):
    response = awards.client.get(f"/satyalancana/{YEAR}/units/BKD", headers=admin)

    assert response.status_code == 200, response.json
    body = response.json
    assert body["on"] == "2025-08-17" and body["restart"] is True
    proposed = by_nip(body["proposed"])
    assert {n: r["class"] for n, r in proposed.items()} == {
        staff["ten"]: "X",
        staff["twenty"]: "XX",
    }
    excluded = {n: [c["code"] for c in r["reasons"]] for n, r in by_nip(body["excluded"]).items()}
    assert excluded == {
        staff["leave"]: ["COUNT_RESTARTED_AFTER_LEAVE", "SERVICE_TOO_SHORT"],
        staff["sanctioned"]: ["COUNT_RESTARTED_AFTER_SANCTION", "SERVICE_TOO_SHORT"],
        staff["pppk"]: ["NOT_PNS"],
    }
    assert by_nip(body["excluded"])[staff["sanctioned"]]["counted_from"] == "2020-01-01"


def test_summary_per_unit(awards, admin, staff):
    response = awards.client.get(f"/satyalancana/{YEAR}", headers=admin)

    assert response.status_code == 200
    assert response.json["units"] == [
        {"unit": "BKD", "proposed": {"X": 1, "XX": 1, "XXX": 0}, "excluded": 3},
        {"unit": "DINKES", "proposed": {"X": 1, "XX": 0, "XXX": 0}, "excluded": 0},
    ]


def test_the_lower_class_held_is_shown_and_a_class_held_excludes(awards, admin, staff):
    first = awards.client.post(
        "/satyalancana/classes",
        json={"nip": staff["twenty"], "class": "X", "granted_on": "2015-08-17"},
        headers=admin,
    )
    again = awards.client.post(
        "/satyalancana/classes",
        json={"nip": staff["twenty"], "class": "X", "granted_on": "2016-08-17"},
        headers=admin,
    )
    held = awards.client.post(
        "/satyalancana/classes",
        json={"nip": staff["ten"], "class": "X", "granted_on": "2025-08-17"},
        headers=admin,
    )

    assert (first.status_code, again.status_code, held.status_code) == (201, 409, 201)
    body = awards.client.get(f"/satyalancana/{YEAR}/units/BKD", headers=admin).json
    assert by_nip(body["proposed"])[staff["twenty"]]["holds"] == ["X"]
    assert [c["code"] for c in by_nip(body["excluded"])[staff["ten"]]["reasons"]] == [
        "ALREADY_HOLDS"
    ]
    granted = [e for e in awards.outbox_events() if e["type"] == "awards.award.granted"]
    assert [(e["version"], e["data"]["class"]) for e in granted] == [(2, "X"), (2, "X")]


def test_csv_and_xlsx_exports(awards, admin, staff):
    csv_response = awards.client.get(f"/satyalancana/{YEAR}/export?unit=BKD", headers=admin)
    excluded_csv = awards.client.get(f"/satyalancana/{YEAR}/export?include=excluded", headers=admin)
    xlsx_response = awards.client.get(f"/satyalancana/{YEAR}/export?format=xlsx", headers=admin)

    assert csv_response.status_code == 200
    assert csv_response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(csv_response.get_data(as_text=True))))
    assert {r["nip"]: r["kelas_diusulkan"] for r in rows} == {
        staff["ten"]: "X",
        staff["twenty"]: "XX",
    }
    excluded = list(csv.DictReader(io.StringIO(excluded_csv.get_data(as_text=True))))
    assert {r["nip"] for r in excluded} == {staff["leave"], staff["sanctioned"], staff["pppk"]}
    assert "NOT_PNS" in {r["nip"]: r["alasan"] for r in excluded}[staff["pppk"]]

    book = load_workbook(io.BytesIO(xlsx_response.data), read_only=True)
    assert book.sheetnames == ["Usulan", "Tidak diusulkan"]
    proposed = [row for row in book["Usulan"].iter_rows(values_only=True)][1:]
    assert sorted(row[0] for row in proposed) == sorted(
        [staff["ten"], staff["twenty"], staff["dinkes"]]
    )
    assert len(list(book["Tidak diusulkan"].iter_rows(values_only=True))) == 4


def test_the_strict_reading_is_a_setting(make_service, keys, employee_events):
    strict = make_service("awards")
    strict.app.config["SETTINGS"] = strict.app.config["SETTINGS"].replace(
        satyalancana_restart=False
    )
    e = employee_events
    nip = e.nip(1, birth=date(1975, 1, 1), tmt=(2000, 1))
    record = e.record(nip, tmt_cpns="2000-01-01")
    leave = [{"start": "2001-01-01", "end": "2001-03-31"}]
    strict.deliver(e.appointed({**record, "unpaid_leave": leave}))

    body = strict.client.get(f"/satyalancana/{YEAR}/units/BKD", headers=keys.headers("admin")).json

    assert body["restart"] is False
    assert [c["code"] for c in body["excluded"][0]["reasons"]] == ["UNPAID_LEAVE_IN_SERVICE"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (f"/satyalancana/{YEAR}?on=2024-08-17", "on"),
        (f"/satyalancana/{YEAR}/export?format=pdf", "format"),
        ("/satyalancana/3000", "year"),
    ],
)
def test_bad_queries_name_the_field(awards, admin, path, field):
    response = awards.client.get(path, headers=admin)

    assert response.status_code == 422
    assert field in str(response.json["errors"])


def test_only_admins(awards, keys):
    response = awards.client.get(f"/satyalancana/{YEAR}", headers=keys.headers("committee"))

    assert response.status_code == 403
