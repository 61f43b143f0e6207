"""Sofifi Berprestasi eligibility in the awards service: facts arrive as events through the real
consumer, decisions are read through the API and published through the outbox."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.service.awards_support import (
    codes,
    complaint,
    completed,
    determined,
    finalized,
    sanction,
)

YEAR = 2024
CLEAN = [
    "PREDIKAT_SANGAT_BAIK",
    "NO_SUBSTANTIATED_COMPLAINT",
    "NO_DISCIPLINARY_SANCTION",
    "JP_NOT_ASSESSED",
]


@pytest.fixture
def awards(make_service):
    return make_service("awards")


@pytest.fixture
def nip(employee_events):
    return employee_events.nip(1)


@pytest.fixture
def admin(keys):
    return keys.headers("admin")


def read(awards, headers, nip, year=YEAR):
    return awards.client.get(f"/eligibility/{year}/{nip}", headers=headers)


def decision(awards, admin, nip, year=YEAR):
    response = read(awards, admin, nip, year)
    assert response.status_code == 200, response.json
    return response.json


def test_sangat_baik_is_eligible_and_published(awards, admin, nip):
    event = finalized(nip, "SANGAT_BAIK", appraisal_id="APR-2024-000123")

    assert awards.deliver(event) == ["ack"]

    body = decision(awards, admin, nip)
    assert body["eligible"] is True
    assert codes(body["reasons"]) == CLEAN
    assert body | {"reasons": None, "determined_at": None} == {
        "nip": nip,
        "year": YEAR,
        "programme": "SOFIFI_BERPRESTASI",
        "eligible": True,
        "reasons": None,
        "determined_at": None,
        "unit": "BKD",
        "basis": "APR-2024-000123",
        "predikat": "SANGAT_BAIK",
        "jp_year_total": None,
        "name": None,
    }
    [published] = determined(awards)
    assert published["correlation_id"] == event.correlation_id
    assert published["data"] == {
        "nip": nip,
        "year": YEAR,
        "programme": "SOFIFI_BERPRESTASI",
        "eligible": True,
        "reasons": body["reasons"],
        "determined_at": published["data"]["determined_at"],
    }
    assert datetime.fromisoformat(published["data"]["determined_at"]) == datetime.fromisoformat(
        body["determined_at"]
    )
    [row] = awards.rows("eligibility")
    assert (row["eligible"], row["basis"], row["unit"]) == (True, "APR-2024-000123", "BKD")


@pytest.mark.parametrize("predikat", ["BAIK", "BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG"])
def test_any_other_predikat_is_not_eligible(awards, admin, nip, predikat):
    assert awards.deliver(finalized(nip, predikat)) == ["ack"]

    body = decision(awards, admin, nip)
    assert body["eligible"] is False
    assert body["reasons"][0]["code"] == "PREDIKAT_NOT_SANGAT_BAIK"
    assert predikat in body["reasons"][0]["message"]
    [published] = determined(awards)
    assert published["data"]["eligible"] is False


def test_quarterly_reviews_decide_nothing(awards, admin, nip):
    assert awards.deliver(finalized(nip, "SANGAT_BAIK", period="Q2")) == ["ack"]

    assert read(awards, admin, nip).status_code == 404
    assert awards.count("annual_appraisals") == awards.count("eligibility") == 0
    assert determined(awards) == []


def test_a_complaint_after_the_decision_revokes_it_and_publishes_again(awards, admin, nip):
    awards.deliver(finalized(nip, "SANGAT_BAIK"))
    first = decision(awards, admin, nip)

    assert awards.deliver(complaint(nip, incident_date="2024-05-18")) == ["ack"]

    body = decision(awards, admin, nip)
    assert body["eligible"] is False
    assert codes(body["reasons"]) == [
        "PREDIKAT_SANGAT_BAIK",
        "SUBSTANTIATED_COMPLAINT",
        "NO_DISCIPLINARY_SANCTION",
        "JP_NOT_ASSESSED",
    ]
    assert "2024-05-18" in body["reasons"][1]["message"]
    assert "LPR-" not in str(body["reasons"])  # the tracking number opens the citizen's report
    assert body["determined_at"] > first["determined_at"]
    granted, revoked = determined(awards)
    assert (granted["data"]["eligible"], revoked["data"]["eligible"]) == (True, False)
    assert revoked["data"]["reasons"] == body["reasons"]


def test_a_complaint_before_the_appraisal_counts_when_it_comes(awards, admin, nip):
    assert awards.deliver(complaint(nip)) == ["ack"]
    assert awards.count("substantiated_complaints") == 1
    assert determined(awards) == []

    awards.deliver(finalized(nip, "SANGAT_BAIK"))

    body = decision(awards, admin, nip)
    assert body["eligible"] is False
    assert "SUBSTANTIATED_COMPLAINT" in codes(body["reasons"])
    [published] = determined(awards)
    assert published["data"]["eligible"] is False


@pytest.mark.parametrize(
    ("incident_date", "substantiated_on"),
    [
        ("2023-12-31", "2024-01-05"),  # the conduct was in 2023
        ("2025-01-01", "2025-01-10"),
        (None, "2023-12-31"),  # no incident date: the day it was substantiated
        (None, "2025-01-01"),
    ],
)
def test_a_complaint_outside_the_year_is_ignored(
    awards, admin, nip, incident_date, substantiated_on
):
    awards.deliver(finalized(nip, "SANGAT_BAIK"))

    event = complaint(nip, incident_date=incident_date, substantiated_on=substantiated_on)
    assert awards.deliver(event) == ["ack"]

    assert awards.count("substantiated_complaints") == 1  # kept: it may count for another year
    assert decision(awards, admin, nip)["eligible"] is True
    assert len(determined(awards)) == 1


@pytest.mark.parametrize(
    ("incident_date", "substantiated_on"),
    [("2024-12-31", "2025-02-03"), (None, "2024-01-01"), ("2024-01-01", "2024-01-02")],
)
def test_a_complaint_on_the_years_first_or_last_day_counts(
    awards, admin, nip, incident_date, substantiated_on
):
    awards.deliver(finalized(nip, "SANGAT_BAIK"))
    awards.deliver(complaint(nip, incident_date=incident_date, substantiated_on=substantiated_on))
    assert decision(awards, admin, nip)["eligible"] is False


def test_a_sanction_in_effect_in_the_year_revokes(awards, admin, nip):
    awards.deliver(finalized(nip, "SANGAT_BAIK"))

    # Imposed in 2023, it still ran on 1 January 2024.
    event = sanction(nip, effective_from="2023-10-01", effective_until="2024-01-01")
    assert awards.deliver(event) == ["ack"]

    body = decision(awards, admin, nip)
    assert body["eligible"] is False
    assert "DISCIPLINARY_SANCTION" in codes(body["reasons"])
    assert "SEDANG" in str(body["reasons"])
    assert [e["data"]["eligible"] for e in determined(awards)] == [True, False]


def test_an_open_ended_sanction_counts_in_every_later_year(awards, admin, nip):
    awards.deliver(sanction(nip, level="BERAT", effective_from="2022-03-01", effective_until=None))
    awards.deliver(finalized(nip, "SANGAT_BAIK", year=2024))
    assert decision(awards, admin, nip)["eligible"] is False


def test_a_sanction_outside_the_year_is_ignored(awards, admin, nip):
    awards.deliver(finalized(nip, "SANGAT_BAIK"))
    awards.deliver(sanction(nip, effective_from="2025-01-01", effective_until="2025-06-30"))
    awards.deliver(
        sanction(
            nip,
            sanction_id="HD-2023-0001",
            effective_from="2023-01-01",
            effective_until="2023-12-31",
        )
    )
    assert awards.count("disciplinary_sanctions") == 2
    assert decision(awards, admin, nip)["eligible"] is True
    assert len(determined(awards)) == 1


def facts_and_decisions(awards):
    """The stored facts and decisions, without the time of the event each fact came from."""
    tables = ("annual_appraisals", "substantiated_complaints", "eligibility")
    return {
        table: [{k: v for k, v in row.items() if k != "as_of"} for row in awards.rows(table)]
        for table in tables
    }


def test_redelivered_and_repeated_facts_change_nothing(awards, admin, nip):
    appraisal = finalized(nip, "SANGAT_BAIK")
    first = complaint(nip, tracking_number="LPR-2024-000777")
    awards.deliver(appraisal, first)
    rows = facts_and_decisions(awards)
    outbox = awards.outbox_events()

    # The same messages again (the inbox), and the same facts as new events (the tables' keys).
    assert awards.deliver(appraisal, first) == ["ack", "ack"]
    awards.deliver(finalized(nip, "SANGAT_BAIK"))
    awards.deliver(complaint(nip, tracking_number="LPR-2024-000777"))

    assert facts_and_decisions(awards) == rows
    assert awards.outbox_events() == outbox
    # One batch, handled in order: decided on the appraisal, then revoked by the complaint.
    assert [e["data"]["eligible"] for e in determined(awards)] == [True, False]


def test_a_corrected_complaint_or_sanction_decides_its_old_year_again(
    awards, admin, nip, employee_events
):
    first, second, third = employee_events.moments(3)
    awards.deliver(finalized(nip, "SANGAT_BAIK", occurred_at=first))
    awards.deliver(complaint(nip, incident_date="2024-11-02", occurred_at=first))
    awards.deliver(sanction(nip, effective_from="2024-03-01", occurred_at=first))
    assert decision(awards, admin, nip)["eligible"] is False

    # Corrected at the source (same tracking number / sanction id, newer): now about 2023.
    awards.deliver(complaint(nip, incident_date="2023-11-02", occurred_at=second))
    awards.deliver(
        sanction(
            nip,
            effective_from="2023-03-01",
            effective_until="2023-09-30",
            occurred_at=third,
        )
    )
    # A stale copy of the old complaint arriving late changes nothing.
    awards.deliver(complaint(nip, incident_date="2024-11-02", occurred_at=first))

    body = decision(awards, admin, nip)
    assert (body["eligible"], codes(body["reasons"])) == (True, CLEAN)
    assert awards.count("substantiated_complaints") == awards.count("disciplinary_sanctions") == 1
    assert [e["data"]["eligible"] for e in determined(awards)] == [True, False, False, False, True]


def test_a_repeated_sanction_is_one_row_and_one_event(awards, nip):
    awards.deliver(finalized(nip, "SANGAT_BAIK"))
    awards.deliver(sanction(nip))
    awards.deliver(sanction(nip))
    assert awards.count("disciplinary_sanctions") == 1
    assert [e["data"]["eligible"] for e in determined(awards)] == [True, False]


def test_the_newest_annual_appraisal_decides(awards, admin, nip, employee_events):
    first, second = employee_events.moments(2)
    awards.deliver(finalized(nip, "BAIK", appraisal_id="APR-1", occurred_at=first))
    # An objection upheld: the appraisal is finalized again with a better predikat.
    awards.deliver(finalized(nip, "SANGAT_BAIK", appraisal_id="APR-2", occurred_at=second))
    # The first event delivered late again (as a new message) changes nothing.
    awards.deliver(finalized(nip, "BAIK", appraisal_id="APR-1", occurred_at=first))

    body = decision(awards, admin, nip)
    assert (body["eligible"], body["basis"], body["predikat"]) == (True, "APR-2", "SANGAT_BAIK")
    assert [e["data"]["eligible"] for e in determined(awards)] == [False, True]


def test_jp_counts_once_the_years_ledger_is_open(awards, admin, employee_events):
    trained, untrained = employee_events.nip(1), employee_events.nip(2)
    awards.deliver(finalized(trained, "SANGAT_BAIK"), finalized(untrained, "SANGAT_BAIK"))
    assert len(determined(awards)) == 2

    # The first JP of 2024 opens the ledger: no JP received now means none taken.
    awards.deliver(completed(trained, 24, year=YEAR))

    assert codes(decision(awards, admin, trained)["reasons"])[-1] == "JP_COMPLIANT"
    assert decision(awards, admin, trained)["jp_year_total"] == 24
    untrained_body = decision(awards, admin, untrained)
    assert untrained_body["eligible"] is False
    assert codes(untrained_body["reasons"])[-1] == "JP_BELOW_MINIMUM"
    assert len(determined(awards)) == 4  # both decisions' reasons changed

    # More JP above the minimum changes no reason: nothing is published.
    awards.deliver(completed(trained, 32, year=YEAR))
    awards.deliver(completed(untrained, 12, year=YEAR))
    assert len(determined(awards)) == 4

    awards.deliver(completed(untrained, 20, year=YEAR))
    assert decision(awards, admin, untrained)["eligible"] is True
    assert [e["data"]["eligible"] for e in determined(awards)][-1] is True
    assert len(determined(awards)) == 5


def test_jp_of_another_year_does_not_open_this_years_ledger(awards, admin, nip):
    awards.deliver(finalized(nip, "SANGAT_BAIK"), completed(nip, 4, year=2025))
    body = decision(awards, admin, nip)
    assert (body["eligible"], codes(body["reasons"])[-1]) == (True, "JP_NOT_ASSESSED")


# -- reading ------------------------------------------------------------------------------


def test_reading_needs_a_token(awards, nip):
    assert awards.client.get(f"/eligibility/{YEAR}/{nip}").status_code == 401
    assert awards.client.get(f"/eligibility/{YEAR}").status_code == 401


def test_an_employee_reads_their_own_and_nobody_elses(awards, keys, employee_events):
    own, other = employee_events.nip(1), employee_events.nip(2)
    awards.deliver(finalized(own, "SANGAT_BAIK"), finalized(other, "BAIK"))

    mine = read(awards, keys.headers("employee", nip=own), own)
    assert mine.status_code == 200
    assert mine.json["eligible"] is True
    response = read(awards, keys.headers("employee", nip=own), other)
    assert response.status_code == 403
    assert response.json["code"] == 403
    # Not even whether it exists: a NIP with no decision is refused the same way.
    assert (
        read(awards, keys.headers("employee", nip=own), employee_events.nip(3)).status_code == 403
    )


@pytest.mark.parametrize("role", ["admin", "committee"])
def test_admins_and_the_committee_read_anyone(awards, keys, nip, role):
    awards.deliver(finalized(nip, "SANGAT_BAIK"))
    assert read(awards, keys.headers(role), nip).status_code == 200
    assert awards.client.get(f"/eligibility/{YEAR}", headers=keys.headers(role)).status_code == 200


@pytest.mark.parametrize("role", ["recruiter", "supervisor", "officer"])
def test_other_roles_read_nothing(awards, keys, nip, role):
    awards.deliver(finalized(nip, "SANGAT_BAIK"))
    assert read(awards, keys.headers(role, nip=nip), nip).status_code == 403
    assert awards.client.get(f"/eligibility/{YEAR}", headers=keys.headers(role)).status_code == 403


def test_an_employee_cannot_list(awards, keys, nip):
    response = awards.client.get(f"/eligibility/{YEAR}", headers=keys.headers("employee", nip=nip))
    assert response.status_code == 403


def test_no_decision_is_not_found(awards, admin, nip):
    awards.deliver(finalized(nip, "SANGAT_BAIK", year=2023))
    response = read(awards, admin, nip)
    assert response.status_code == 404
    assert nip in response.json["message"]


@pytest.mark.parametrize(
    ("path", "field"),
    [("/eligibility/2024/12345", "nip"), ("/eligibility/1900/199001152015031001", "year")],
)
def test_an_invalid_path_is_refused_naming_the_field(awards, admin, path, field):
    response = awards.client.get(path, headers=admin)
    assert response.status_code == 422
    assert field in response.json["errors"]["path"]


def test_the_list_filters_and_pages(awards, admin, employee_events):
    nips = [employee_events.nip(i) for i in range(1, 6)]
    awards.deliver(
        finalized(nips[0], "SANGAT_BAIK", unit="BKD"),
        finalized(nips[1], "BAIK", unit="BKD"),
        finalized(nips[2], "SANGAT_BAIK", unit="DINKES"),
        finalized(nips[3], "SANGAT_BAIK", unit="DINKES"),
        finalized(nips[4], "SANGAT_BAIK", year=2023),
        employee_events.appointed(employee_events.record(nips[0], name="Rahmat Hidayat")),
    )

    def listed(**query):
        response = awards.client.get(f"/eligibility/{YEAR}", query_string=query, headers=admin)
        assert response.status_code == 200, response.json
        return response.json

    everyone = listed()
    assert everyone["total"] == 4
    assert [item["nip"] for item in everyone["items"]] == nips[:4]  # by unit, then NIP
    assert everyone["items"][0]["name"] == "Rahmat Hidayat"
    assert [i["nip"] for i in listed(eligible="true")["items"]] == [nips[0], nips[2], nips[3]]
    assert [i["nip"] for i in listed(eligible="false")["items"]] == [nips[1]]
    assert [i["nip"] for i in listed(unit="DINKES", eligible="true")["items"]] == nips[2:4]
    page = listed(page=2, page_size=3)
    assert (page["total"], page["page"], page["page_size"]) == (4, 2, 3)
    assert [i["nip"] for i in page["items"]] == [nips[3]]
    assert listed(unit="BAPPEDA") == {
        "year": YEAR,
        "total": 0,
        "page": 1,
        "page_size": 50,
        "items": [],
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [({"page": 0}, "page"), ({"page_size": 501}, "page_size"), ({"eligible": "maybe"}, "eligible")],
)
def test_invalid_list_filters_are_refused(awards, admin, query, field):
    response = awards.client.get(f"/eligibility/{YEAR}", query_string=query, headers=admin)
    assert response.status_code == 422
    assert field in response.json["errors"]["query"]


@pytest.mark.postgres
def test_the_decisions_on_postgres(make_service, postgres_url, keys, employee_events):
    awards = make_service("awards", postgres_url)
    admin = keys.headers("admin")
    nip, other = employee_events.nip(1), employee_events.nip(2)

    awards.deliver(complaint(other), finalized(nip, "SANGAT_BAIK"), finalized(other, "SANGAT_BAIK"))
    awards.deliver(sanction(nip), completed(other, 30))

    assert decision(awards, admin, nip)["eligible"] is False
    assert codes(decision(awards, admin, other)["reasons"]) == [
        "PREDIKAT_SANGAT_BAIK",
        "SUBSTANTIATED_COMPLAINT",
        "NO_DISCIPLINARY_SANCTION",
        "JP_COMPLIANT",
    ]
    published = [(e["data"]["nip"], e["data"]["eligible"]) for e in determined(awards)]
    # nip: decided, revoked by the sanction, then its JP reason changed when the ledger opened.
    assert [eligible for who, eligible in published if who == nip] == [True, False, False]
    assert [eligible for who, eligible in published if who == other] == [False, False]

    # The same facts again decide the same: nothing more is published (JSON compared as stored).
    awards.deliver(complaint(other), finalized(nip, "SANGAT_BAIK"), completed(other, 31))
    assert len(determined(awards)) == len(published)
