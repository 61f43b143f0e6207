"""Appraisal service: unit ratings, the calibration view and finalizing a unit's year."""

from __future__ import annotations

import pytest

from contracts import validate_event
from tests.service.appraisal_support import EIGHT_SB, SEVEN_SB, YEAR, build, rate_unit

FINALIZED = "appraisal.appraisal.finalized"


@pytest.fixture
def service(make_service):
    return make_service("appraisal")


@pytest.fixture
def org(service, keys, employee_events):
    return build(service, keys, employee_events)


def statuses(service):
    return {row["nip"]: row["status"] for row in service.rows("appraisals")}


# -- unit ratings ----------------------------------------------------------------------------


def test_admins_set_a_unit_rating(org, service):
    response = org.set_unit_rating("BKD", "ISTIMEWA")
    assert response.status_code == 200, response.json
    assert (response.json["rating"], response.json["set_by"]) == ("ISTIMEWA", "bkd-admin")
    assert org.set_unit_rating("BKD", "BAIK").json["rating"] == "BAIK"
    [row] = service.rows("unit_ratings")
    assert (row["unit"], row["year"], row["rating"]) == ("BKD", YEAR, "BAIK")


def test_only_admins_set_unit_ratings_and_bad_ones_are_422(org, service):
    url = f"/units/BKD/{YEAR}/rating"
    assert org.call("PUT", url, org.as_(org.sup_a), {"rating": "BAIK"}).status_code == 403
    bad = org.call("PUT", url, org.admin, {"rating": "LUAR_BIASA"})
    assert bad.status_code == 422 and "rating" in bad.json["errors"]["json"]
    assert service.count("unit_ratings") == 0


# -- calibration -----------------------------------------------------------------------------


def test_the_calibration_shows_the_distribution_the_rules_and_who_is_unrated(org):
    org.set_unit_rating("BKD", "ISTIMEWA")
    for nip in org.staff_a[:9]:
        org.plan_and_rate(nip, org.sup_a, "SANGAT_BAIK")

    response = org.call("GET", f"/units/BKD/{YEAR}/calibration", org.as_(org.sup_a))

    assert response.status_code == 200, response.json
    view = response.json
    assert (view["unit_rating"], view["staff"], view["rated"]) == ("ISTIMEWA", 10, 9)
    assert view["distribution"]["SANGAT_BAIK"] == {"count": 9, "percent": 100.0}
    assert view["distribution"]["BAIK"] == {"count": 0, "percent": 0.0}
    [rule] = view["rules"]
    assert (rule["code"], rule["status"], rule["allowed"], rule["actual"]) == (
        "ISTIMEWA.SANGAT_BAIK_MAX_70",
        "broken",
        6,
        9,
    )
    assert view["broken_rules"] == [rule]
    assert [e["nip"] for e in view["unrated"]] == [org.staff_a[9]]
    assert {b["code"] for b in view["blockers"]} == {
        "APPRAISALS_MISSING",
        "ISTIMEWA.SANGAT_BAIK_MAX_70",
    }


@pytest.mark.parametrize(("who", "status"), [("admin", 200), ("sup_b", 403), ("staff", 403)])
def test_who_sees_a_calibration(org, who, status):
    headers = {
        "admin": org.admin,
        "sup_b": org.as_(org.sup_b),
        "staff": org.as_(org.staff_a[0], "employee"),
    }[who]
    response = org.call("GET", f"/units/BKD/{YEAR}/calibration", headers)
    assert response.status_code == status


# -- finalization refused ------------------------------------------------------------------


def assert_nothing_finalized(service):
    assert service.count("outbox") == 0
    assert set(statuses(service).values()) <= {"RATED"}
    assert all(row["finalized_at"] is None for row in service.rows("unit_ratings"))


def test_a_unit_without_a_rating_is_not_finalized(org, service):
    rate_unit(org, SEVEN_SB)
    response = org.finalize("BKD")
    assert response.status_code == 409
    assert [b["code"] for b in response.json["errors"]["blockers"]] == ["UNIT_RATING_MISSING"]
    assert_nothing_finalized(service)


def test_unrated_staff_block_finalization(org, service):
    org.set_unit_rating("BKD", "ISTIMEWA")
    for nip in org.staff_a[:9]:
        org.plan_and_rate(nip, org.sup_a, "BAIK")
    response = org.finalize("BKD")
    assert response.status_code == 409
    [blocker] = response.json["errors"]["blockers"]
    assert blocker["code"] == "APPRAISALS_MISSING"
    assert blocker["nips"] == [org.staff_a[9]]
    assert_nothing_finalized(service)


def test_a_violating_unit_is_refused_with_the_rule_it_breaks(org, service):
    org.set_unit_rating("BKD", "ISTIMEWA")
    rate_unit(org, EIGHT_SB)

    response = org.finalize("BKD")

    assert response.status_code == 409
    assert "ISTIMEWA.SANGAT_BAIK_MAX_70" in response.json["message"]
    [rule] = response.json["errors"]["blockers"]
    assert rule["code"] == "ISTIMEWA.SANGAT_BAIK_MAX_70"
    assert (rule["allowed"], rule["actual"], rule["actual_percent"]) == (7, 8, 80.0)
    assert "SANGAT_BAIK at most 70%" in rule["message"]
    assert_nothing_finalized(service)


def test_a_baik_unit_with_no_poor_predikat_is_refused(org, service):
    org.set_unit_rating("BKD", "BAIK")
    rate_unit(org, ["BAIK"] * 7 + ["SANGAT_BAIK"] * 3)
    response = org.finalize("BKD")
    assert response.status_code == 409
    codes = [b["code"] for b in response.json["errors"]["blockers"]]
    assert codes == ["BAIK.BUTUH_PERBAIKAN_OR_KURANG_SOME"]
    assert_nothing_finalized(service)


def test_only_admins_finalize(org, service):
    org.set_unit_rating("BKD", "ISTIMEWA")
    rate_unit(org, SEVEN_SB)
    assert org.call("POST", f"/units/BKD/{YEAR}/finalize", org.as_(org.sup_a)).status_code == 403
    assert_nothing_finalized(service)


# -- finalization ---------------------------------------------------------------------------


def check_finalized(org, service):
    response = org.finalize("BKD")
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["unit"], body["year"], body["unit_rating"]) == ("BKD", YEAR, "ISTIMEWA")
    assert sorted(a["nip"] for a in body["appraisals"]) == sorted(org.staff_a)
    assert statuses(service) == dict.fromkeys(org.staff_a, "FINALIZED")
    events = service.outbox_events()
    assert len(events) == len(org.staff_a)
    for event in events:
        validate_event(event)
        assert event["type"] == FINALIZED
    by_nip = {event["data"]["nip"]: event["data"] for event in events}
    assert set(by_nip) == set(org.staff_a)
    first = by_nip[org.staff_a[0]]
    assert first == {
        "appraisal_id": f"{org.staff_a[0]}-{YEAR}-ANNUAL",
        "nip": org.staff_a[0],
        "unit": "BKD",
        "appraiser_nip": org.sup_a,
        "year": YEAR,
        "period": "ANNUAL",
        "results_rating": "DI_ATAS",
        "behaviour_rating": "DI_ATAS",
        "behaviour_values": dict.fromkeys(first["behaviour_values"], "DI_ATAS"),
        "predikat": "SANGAT_BAIK",
        "finalized_at": first["finalized_at"],
        "unit_rating": "ISTIMEWA",
    }
    assert len(first["behaviour_values"]) == 7
    assert by_nip[org.staff_a[9]]["predikat"] == "BAIK"
    assert len({data["finalized_at"] for data in by_nip.values()}) == 1  # together
    return body


def test_a_valid_unit_is_finalized_together_with_one_event_each(org, service):
    org.set_unit_rating("BKD", "ISTIMEWA")
    rate_unit(org, SEVEN_SB)  # exactly 70% SANGAT_BAIK

    check_finalized(org, service)

    [rating] = [row for row in service.rows("unit_ratings") if row["unit"] == "BKD"]
    assert rating["finalized_at"] is not None and rating["finalized_by"] == "bkd-admin"


def test_after_finalization_ratings_and_the_unit_rating_stay(org, service):
    org.set_unit_rating("BKD", "ISTIMEWA")
    rate_unit(org, SEVEN_SB)
    assert org.finalize("BKD").status_code == 200
    events = service.outbox_events()

    assert org.rate(org.staff_a[0], org.sup_a, "BAIK").status_code == 409
    assert org.set_unit_rating("BKD", "BAIK").status_code == 409
    again = org.finalize("BKD")
    assert again.status_code == 409
    assert [b["code"] for b in again.json["errors"]["blockers"]] == ["ALREADY_FINALIZED"]
    assert service.outbox_events() == events


def test_quarterly_reviews_are_rated_but_neither_finalized_nor_published(org, service):
    org.open_period(YEAR, "Q1")
    nip = org.staff_a[0]
    review = org.plan_and_rate(nip, org.sup_a, "KURANG", period="Q1")
    assert (review["period"], review["status"]) == ("Q1", "RATED")
    org.set_unit_rating("BKD", "ISTIMEWA")
    rate_unit(org, SEVEN_SB)

    org.finalize("BKD")

    q1 = org.call("GET", f"/appraisals/{nip}/{YEAR}/Q1", org.as_(nip, "employee"))
    assert (q1.json["status"], q1.json["predikat"]) == ("RATED", "KURANG")
    assert {e["data"]["period"] for e in service.outbox_events()} == {"ANNUAL"}


def test_a_small_unit_is_finalized_under_the_small_unit_rule(service, keys, employee_events):
    org = build(service, keys, employee_events, staff=3)
    org.set_unit_rating("BKD", "BAIK")
    rate_unit(org, ["BAIK", "BAIK", "SANGAT_BAIK"])  # no poor predikat: waived below ten
    response = org.finalize("BKD")
    assert response.status_code == 200, response.json
    assert len(service.outbox_events()) == 3


@pytest.mark.postgres
def test_finalization_on_postgres(make_service, postgres_url, keys, employee_events):
    service = make_service("appraisal", postgres_url)
    org = build(service, keys, employee_events)
    org.set_unit_rating("BKD", "ISTIMEWA")
    rate_unit(org, EIGHT_SB)
    refused = org.finalize("BKD")
    assert refused.status_code == 409
    assert_nothing_finalized(service)
    assert org.rate(org.staff_a[7], org.sup_a, "BAIK").status_code == 200  # 7 SANGAT_BAIK now

    check_finalized(org, service)
