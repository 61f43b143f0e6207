"""Appraisal service: SKP plans, ratings by the right supervisor, and who may read them."""

from __future__ import annotations

import pytest

from chassis.migrations import pending_changes
from tests.service.appraisal_support import ITEMS, YEAR, build, rating_body


@pytest.fixture
def service(make_service):
    return make_service("appraisal")


@pytest.fixture
def org(service, keys, employee_events):
    return build(service, keys, employee_events, staff=3)


def appraisal_rows(service):
    return service.rows("appraisals")


def test_migrations_match_the_models_on_sqlite(service):
    assert pending_changes(service.engine, service.spec.metadata) == []


@pytest.mark.postgres
def test_migrations_match_the_models_on_postgres(make_service, postgres_url):
    service = make_service("appraisal", postgres_url)
    assert pending_changes(service.engine, service.spec.metadata) == []


# -- SKP ---------------------------------------------------------------------------------


def test_an_skp_is_agreed_only_when_employee_and_appraiser_both_agree(org, service):
    nip = org.staff_a[0]
    body = {"nip": nip, "year": YEAR, "period": "ANNUAL", "items": ITEMS}
    created = org.call("POST", "/skp", org.as_(nip, "employee"), body)
    assert created.status_code == 201, created.json
    plan = created.json["id"]
    assert created.json["status"] == "DRAFT" and created.json["items"] == ITEMS

    by_employee = org.call("POST", f"/skp/{plan}/agree", org.as_(nip, "employee"))
    assert by_employee.json["status"] == "DRAFT"
    assert by_employee.json["employee_agreed_at"] is not None
    other = org.call("POST", f"/skp/{plan}/agree", org.as_(org.sup_b))
    assert other.status_code == 403
    by_appraiser = org.call("POST", f"/skp/{plan}/agree", org.as_(org.sup_a))
    assert by_appraiser.json["status"] == "AGREED"
    assert by_appraiser.json["appraiser_nip"] == org.sup_a
    [row] = service.rows("skp_plans")
    assert (row["status"], row["appraiser_nip"]) == ("AGREED", org.sup_a)


def test_revising_a_draft_withdraws_agreement_and_an_agreed_skp_is_fixed(org):
    nip = org.staff_a[0]
    body = {"nip": nip, "year": YEAR, "period": "ANNUAL", "items": ITEMS}
    plan = org.call("POST", "/skp", org.as_(org.sup_a), body).json["id"]
    org.call("POST", f"/skp/{plan}/agree", org.as_(nip, "employee"))
    new_items = [{**ITEMS[0], "target": "100%"}]

    revised = org.call("PUT", f"/skp/{plan}", org.as_(org.sup_a), {"items": new_items})

    assert revised.status_code == 200, revised.json
    assert revised.json["employee_agreed_at"] is None and revised.json["items"] == new_items
    org.call("POST", f"/skp/{plan}/agree", org.as_(nip, "employee"))
    org.call("POST", f"/skp/{plan}/agree", org.as_(org.sup_a))
    again = org.call("PUT", f"/skp/{plan}", org.as_(org.sup_a), {"items": ITEMS})
    assert again.status_code == 409


def test_an_skp_for_someone_else_is_refused(org, service):
    body = {"nip": org.staff_a[0], "year": YEAR, "period": "ANNUAL", "items": ITEMS}
    response = org.call("POST", "/skp", org.as_(org.sup_b), body)
    assert response.status_code == 403
    assert service.count("skp_plans") == 0


def test_an_skp_needs_an_open_period_and_only_one_per_period(org, service):
    nip = org.staff_a[0]
    body = {"nip": nip, "year": YEAR + 1, "period": "ANNUAL", "items": ITEMS}
    assert org.call("POST", "/skp", org.as_(nip, "employee"), body).status_code == 409
    body["year"] = YEAR
    assert org.call("POST", "/skp", org.as_(nip, "employee"), body).status_code == 201
    assert org.call("POST", "/skp", org.as_(nip, "employee"), body).status_code == 409
    assert service.count("skp_plans") == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"items": []}, "items"),
        ({"items": [{"result": "x", "indicator": " ", "target": "1"}]}, "items"),
        ({"period": "Q5"}, "period"),
        ({"year": "2024"}, "year"),
        ({"nip": "123"}, "nip"),
    ],
)
def test_a_bad_skp_is_422_naming_the_field(org, service, change, field):
    body = {"nip": org.staff_a[0], "year": YEAR, "period": "ANNUAL", "items": ITEMS, **change}
    response = org.call("POST", "/skp", org.as_(org.staff_a[0], "employee"), body)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]["json"]
    assert service.count("skp_plans") == 0


# -- rating ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("results", "behaviour", "predikat"),
    [
        ("DI_ATAS", "DI_ATAS", "SANGAT_BAIK"),
        ("SESUAI", "DI_ATAS", "BAIK"),
        ("DI_ATAS", "DI_BAWAH", "KURANG"),
        ("DI_BAWAH", "DI_ATAS", "BUTUH_PERBAIKAN"),
        ("DI_BAWAH", "DI_BAWAH", "SANGAT_KURANG"),
    ],
)
def test_the_supervisor_rates_a_subordinate_and_the_matrix_gives_the_predikat(
    org, service, results, behaviour, predikat
):
    nip = org.staff_a[0]
    plan = org.agreed_skp(nip, org.sup_a)
    values = {"kompeten": "DI_BAWAH", "loyal": "DI_ATAS"}
    body = rating_body("BAIK", results_rating=results, behaviour_rating=behaviour)
    body["behaviour_values"].update(values)

    response = org.call("PUT", f"/appraisals/{nip}/{YEAR}/ANNUAL", org.as_(org.sup_a), body)

    assert response.status_code == 200, response.json
    assert response.json["predikat"] == predikat
    [row] = appraisal_rows(service)
    assert row["id"] == f"{nip}-{YEAR}-ANNUAL"
    assert (row["predikat"], row["status"], row["appraiser_nip"]) == (predikat, "RATED", org.sup_a)
    assert (row["unit"], row["skp_id"], row["revision"]) == ("BKD", plan, 1)
    assert row["behaviour_values"]["kompeten"] == "DI_BAWAH"
    assert row["behaviour_values"]["loyal"] == "DI_ATAS"
    assert row["results_comment"] == "Target tercapai."
    assert service.count("outbox") == 0  # a rating is published when the unit is finalized


def test_a_rating_can_be_replaced_until_finalization(org, service):
    nip = org.staff_a[0]
    org.plan_and_rate(nip, org.sup_a, "BAIK")
    again = org.rate(nip, org.sup_a, "SANGAT_BAIK")
    assert again.status_code == 200
    [row] = appraisal_rows(service)
    assert row["predikat"] == "SANGAT_BAIK"


@pytest.mark.parametrize("who", ["other_supervisor", "admin", "superior", "self"])
def test_nobody_but_the_supervisor_on_the_roster_rates(org, service, who):
    nip = org.staff_a[0]
    org.agreed_skp(nip, org.sup_a)
    headers = {
        "other_supervisor": org.as_(org.sup_b),
        "admin": org.keys.headers("admin", "supervisor", nip=org.head),
        "superior": org.as_(org.superior),
        "self": org.as_(nip),
    }[who]
    response = org.call("PUT", f"/appraisals/{nip}/{YEAR}/ANNUAL", headers, rating_body("BAIK"))
    assert response.status_code == 403, response.json
    assert service.count("appraisals") == 0


def test_a_supervisor_without_the_role_may_not_rate(org, service):
    nip = org.staff_a[0]
    org.agreed_skp(nip, org.sup_a)
    headers = org.as_(org.sup_a, "employee")
    response = org.call("PUT", f"/appraisals/{nip}/{YEAR}/ANNUAL", headers, rating_body("BAIK"))
    assert response.status_code == 403
    assert service.count("appraisals") == 0


def test_the_new_supervisor_after_a_transfer_rates(org, service, employee_events):
    nip = org.staff_a[0]
    org.agreed_skp(nip, org.sup_a)
    record = employee_events.record(nip, unit="BKD", supervisor_nip=org.sup_b, name="Staf 0")
    service.apply(employee_events.updated(record, ["supervisor_nip"]))
    assert org.rate(nip, org.sup_a, "BAIK").status_code == 403
    assert org.rate(nip, org.sup_b, "BAIK").status_code == 200


def test_rating_needs_an_agreed_skp_and_an_open_period(org, service):
    nip = org.staff_a[0]
    assert org.rate(nip, org.sup_a, "BAIK").status_code == 409
    org.agreed_skp(nip, org.sup_a)
    closed = org.call("PATCH", f"/periods/{YEAR}/ANNUAL", org.admin, {"status": "CLOSED"})
    assert closed.json["status"] == "CLOSED"
    response = org.rate(nip, org.sup_a, "BAIK")
    assert response.status_code == 409
    assert "closed" in response.json["message"]
    assert service.count("appraisals") == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"results_rating": "BAGUS"}, "results_rating"),
        ({"behaviour_rating": None}, "behaviour_rating"),
        ({"behaviour_values": {"kompeten": "SESUAI"}}, "behaviour_values"),
        ({"results_comment": "   "}, "results_comment"),
        ({"predikat": "SANGAT_BAIK"}, "predikat"),
    ],
)
def test_a_bad_rating_is_422_naming_the_field_and_stores_nothing(org, service, change, field):
    nip = org.staff_a[0]
    org.agreed_skp(nip, org.sup_a)
    body = {**rating_body("BAIK"), **change}
    response = org.call("PUT", f"/appraisals/{nip}/{YEAR}/ANNUAL", org.as_(org.sup_a), body)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]["json"]
    assert service.count("appraisals") == 0


@pytest.mark.parametrize(
    ("path", "field"),
    [("/appraisals/123/2024/ANNUAL", "nip"), ("/appraisals/{nip}/2024/Q9", "period")],
)
def test_a_bad_path_is_422_naming_it(org, service, path, field):
    url = path.format(nip=org.staff_a[0])
    response = org.call("PUT", url, org.as_(org.sup_a), rating_body("BAIK"))
    assert response.status_code == 422
    assert field in response.json["errors"]["path"]
    assert service.count("appraisals") == 0


def test_periods_are_opened_by_admins_only(org, service):
    body = {"year": YEAR, "kind": "Q1"}
    assert org.call("POST", "/periods", org.as_(org.sup_a), body).status_code == 403
    assert org.call("POST", "/periods", org.admin, body).status_code == 201
    assert org.call("POST", "/periods", org.admin, body).status_code == 409
    bad = org.call("POST", "/periods", org.admin, {"year": YEAR, "kind": "Q5"})
    assert bad.status_code == 422 and "kind" in bad.json["errors"]["json"]
    listed = org.call("GET", "/periods", org.as_(org.staff_a[0], "employee")).json
    assert {(p["year"], p["kind"]) for p in listed} == {(YEAR, "ANNUAL"), (YEAR, "Q1")}


# -- reading ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("self", 200),
        ("supervisor", 200),
        ("admin", 200),
        ("colleague", 403),
        ("other_supervisor", 403),
        ("committee", 403),
    ],
)
def test_who_reads_an_appraisal(org, who, status):
    nip = org.staff_a[0]
    org.plan_and_rate(nip, org.sup_a, "BAIK")
    headers = {
        "self": org.as_(nip, "employee"),
        "supervisor": org.as_(org.sup_a),
        "admin": org.admin,
        "colleague": org.as_(org.staff_a[1], "employee"),
        "other_supervisor": org.as_(org.sup_b),
        "committee": org.keys.headers("committee", nip=org.head),
    }[who]

    one = org.call("GET", f"/appraisals/{nip}/{YEAR}/ANNUAL", headers)
    listed = org.call("GET", f"/appraisals?nip={nip}", headers)

    assert (one.status_code, listed.status_code) == (status, status)
    if status == 200:
        assert one.json["predikat"] == "BAIK"
        assert [a["id"] for a in listed.json] == [f"{nip}-{YEAR}-ANNUAL"]


def test_reading_without_a_token_is_401_and_unknown_is_404(org):
    nip = org.staff_a[0]
    assert org.service.client.get(f"/appraisals/{nip}/{YEAR}/ANNUAL").status_code == 401
    missing = org.call("GET", f"/appraisals/{nip}/{YEAR}/ANNUAL", org.as_(nip, "employee"))
    assert missing.status_code == 404
