"""Training needs: events through the real consumer in, the API and the outbox out."""

from __future__ import annotations

import json

import pytest

from chassis.migrations import pending_changes
from tests.service.training_support import (
    APPRAISER,
    appraisal_data,
    finalized,
    need_events,
)

API_FIELDS = {
    "need_id",
    "nip",
    "unit",
    "year",
    "kind",
    "competency",
    "competency_type",
    "source",
    "source_ref",
    "reason",
    "status",
    "identified_at",
}


@pytest.fixture
def training(make_service):
    return make_service("training")


@pytest.fixture
def admin(keys):
    return keys.headers("admin")


def needs_of(service, headers, **query):
    response = service.client.get("/needs", query_string=query, headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def test_migrations_match_the_models_on_sqlite(training):
    assert pending_changes(training.engine, training.spec.metadata) == []


def test_a_kurang_appraisal_with_values_below_makes_one_need_each(training, admin, employee_events):
    nip = employee_events.nip()
    data = appraisal_data(nip, behaviour="DI_BAWAH", below=("akuntabel", "kolaboratif"))
    assert data["predikat"] == "KURANG"

    assert training.deliver(finalized(data)) == ["ack"]

    items = needs_of(training, admin, nip=nip)
    assert [(n["kind"], n["competency"], n["competency_type"]) for n in items] == [
        ("COMPETENCY", "Akuntabilitas dan integritas", "MANAJERIAL"),
        ("COMPETENCY", "Kerja sama", "MANAJERIAL"),
        ("DEVELOPMENT", "Pengembangan kinerja", "MANAJERIAL"),
    ]
    for item in items:
        assert set(item) == API_FIELDS
        assert (item["nip"], item["unit"], item["year"]) == (nip, "BKD", 2025)
        assert (item["source"], item["source_ref"]) == ("APPRAISAL", "APR-2024-000001")
        assert item["status"] == "OPEN"
    events = need_events(training)
    published = sorted((e["data"] for e in events), key=lambda d: (d["kind"], d["competency"]))
    assert published == [
        {k: v for k, v in item.items() if k not in ("status", "identified_at")} for item in items
    ]
    stored = training.rows("training_needs")
    assert {row["supervisor_nip"] for row in stored} == {APPRAISER}


def test_the_events_carry_the_correlation_id_of_the_appraisal(training, employee_events):
    event = finalized(appraisal_data(employee_events.nip(), results="DI_BAWAH"))
    training.deliver(event)
    [need] = need_events(training)
    assert need["correlation_id"] == event.correlation_id
    assert need["source"] == "training"


@pytest.mark.parametrize(
    ("results", "behaviour", "development"),
    [
        ("DI_ATAS", "DI_ATAS", False),  # SANGAT_BAIK
        ("SESUAI", "SESUAI", False),  # BAIK
        ("DI_BAWAH", "SESUAI", True),  # BUTUH_PERBAIKAN
        ("SESUAI", "DI_BAWAH", True),  # KURANG
        ("DI_BAWAH", "DI_BAWAH", True),  # SANGAT_KURANG
    ],
)
def test_each_predikat(training, admin, employee_events, results, behaviour, development):
    nip = employee_events.nip()
    training.deliver(finalized(appraisal_data(nip, results=results, behaviour=behaviour)))

    kinds = [n["kind"] for n in needs_of(training, admin, nip=nip)]
    assert kinds == (["DEVELOPMENT"] if development else [])
    assert len(need_events(training)) == len(kinds)


def test_quarterly_reviews_make_no_needs(training, employee_events):
    data = appraisal_data(employee_events.nip(), period="Q2", results="DI_BAWAH", below=("loyal",))
    assert training.deliver(finalized(data)) == ["ack"]
    assert training.count("training_needs") == 0
    assert training.outbox_events() == []
    assert training.count("inbox") == 1


def test_a_redelivered_event_creates_nothing(training, employee_events):
    event = finalized(appraisal_data(employee_events.nip(), results="DI_BAWAH", below=("adaptif",)))
    training.deliver(event)
    before = training.rows("training_needs")

    assert training.deliver(event) == ["ack"]

    assert training.rows("training_needs") == before
    assert len(before) == 2
    assert len(need_events(training)) == 2


def test_the_same_facts_under_a_new_event_id_create_nothing(training, employee_events):
    data = appraisal_data(employee_events.nip(), results="DI_BAWAH", below=("harmonis",))
    training.deliver(finalized(data))
    before = training.rows("training_needs")

    assert training.deliver(finalized(data)) == ["ack"]
    # and two copies in one batch (one transaction)
    assert training.deliver(finalized(data), finalized(data)) == ["ack", "ack"]

    assert training.rows("training_needs") == before
    assert len(need_events(training)) == 2
    assert training.count("inbox") == 4


def test_two_copies_of_new_facts_in_one_batch_make_one_record(training, employee_events):
    data = appraisal_data(employee_events.nip(), below=("loyal",))
    assert training.deliver(finalized(data), finalized(data)) == ["ack", "ack"]
    assert training.count("training_needs") == 1
    assert len(need_events(training)) == 1


def test_a_refinalized_appraisal_adds_new_gaps_and_keeps_the_old(training, admin, employee_events):
    nip = employee_events.nip()
    first = appraisal_data(nip, behaviour="DI_BAWAH", below=("loyal",))
    upheld = appraisal_data(nip, behaviour="DI_BAWAH", below=("loyal", "adaptif"))
    training.deliver(finalized(first))
    kept = needs_of(training, admin, nip=nip)

    training.deliver(finalized(upheld))

    now = needs_of(training, admin, nip=nip)
    assert now[: len(kept)] == kept
    assert [n["competency"] for n in now[len(kept) :]] == ["Mengelola perubahan"]
    assert [e["data"]["competency"] for e in need_events(training)] == [
        "Pengembangan kinerja",
        "Wawasan kebangsaan dan etika ASN",
        "Mengelola perubahan",
    ]


def test_a_cpns_appointment_makes_a_latsar_need_and_keeps_the_projection(
    training, admin, employee_events
):
    nip = employee_events.nip(tmt=(2025, 3), gender="F")
    record = employee_events.record(nip, status="CPNS", unit="DINKES", supervisor_nip=APPRAISER)

    assert training.deliver(employee_events.appointed(record)) == ["ack"]

    [need] = needs_of(training, admin, nip=nip)
    assert {k: need[k] for k in ("kind", "year", "source", "source_ref", "unit")} == {
        "kind": "LATSAR",
        "year": 2025,
        "source": "APPOINTMENT",
        "source_ref": nip,
        "unit": "DINKES",
    }
    assert need["competency"] == "Pelatihan Dasar CPNS (Latsar)"
    assert need["competency_type"] == "SOSIAL_KULTURAL"
    assert "2026-02-28" in need["reason"]
    [event] = need_events(training)
    assert event["data"]["need_id"] == need["need_id"]
    assert training.rows("employees")[0]["status"] == "CPNS"

    # the same appointment again (say, imported after it was entered by hand): nothing new
    assert training.deliver(employee_events.appointed(record)) == ["ack"]
    assert training.count("training_needs") == 1
    assert len(need_events(training)) == 1


@pytest.mark.parametrize("status", ["PNS", "PPPK"])
def test_a_pns_or_pppk_appointment_makes_no_need(training, employee_events, status):
    record = employee_events.record(status=status)
    assert training.deliver(employee_events.appointed(record)) == ["ack"]
    assert training.count("employees") == 1
    assert training.count("training_needs") == 0
    assert training.outbox_events() == []


# -- reading ----------------------------------------------------------------------------------


@pytest.fixture
def staff(training, employee_events):
    """Three employees with needs: two appraised by APPRAISER in BKD, one elsewhere in DISHUB."""
    nips = [employee_events.nip(sequence) for sequence in (1, 2, 3)]
    other_appraiser = employee_events.nip(9, birth=employee_events.birth.replace(year=1970))
    training.deliver(
        finalized(
            appraisal_data(nips[0], appraisal_id="A-1", results="DI_BAWAH", below=("kompeten",))
        ),
        finalized(appraisal_data(nips[1], appraisal_id="A-2", below=("kompeten", "harmonis"))),
        finalized(
            appraisal_data(
                nips[2],
                appraisal_id="A-3",
                unit="DISHUB",
                results="DI_BAWAH",
                appraiser_nip=other_appraiser,
            )
        ),
    )
    return nips


def test_admins_filter_by_unit_year_and_kind(training, admin, staff):
    assert len(needs_of(training, admin)) == 5
    assert {n["nip"] for n in needs_of(training, admin, unit="DISHUB")} == {staff[2]}
    assert len(needs_of(training, admin, unit="BKD", kind="COMPETENCY")) == 3
    assert needs_of(training, admin, year=2024) == []
    assert len(needs_of(training, admin, year=2025)) == 5


def test_the_list_is_paged(training, admin, staff):
    first = training.client.get("/needs", query_string={"page_size": 2}, headers=admin)
    third = training.client.get("/needs", query_string={"page_size": 2, "page": 3}, headers=admin)
    assert first.status_code == third.status_code == 200
    assert json.loads(first.headers["X-Pagination"])["total"] == 5
    assert json.loads(third.headers["X-Pagination"])["total_pages"] == 3
    everything = needs_of(training, admin)
    assert first.json + third.json == everything[:2] + everything[4:]


def test_employees_read_only_their_own(training, keys, staff):
    mine = keys.headers("employee", nip=staff[1])
    items = needs_of(training, mine)
    assert {n["nip"] for n in items} == {staff[1]} and len(items) == 2
    assert needs_of(training, mine, nip=staff[1]) == items

    asked = training.client.get("/needs", query_string={"nip": staff[0]}, headers=mine)
    assert asked.status_code == 403

    others = needs_of(training, keys.headers("admin"), nip=staff[0])
    assert training.client.get(f"/needs/{items[0]['need_id']}", headers=mine).json == items[0]
    assert training.client.get(f"/needs/{others[0]['need_id']}", headers=mine).status_code == 404


def test_supervisors_read_the_needs_of_those_they_appraised(training, keys, staff):
    boss = keys.headers("supervisor", "employee", nip=APPRAISER)
    assert {n["nip"] for n in needs_of(training, boss)} == {staff[0], staff[1]}
    assert needs_of(training, boss, nip=staff[2]) == []
    dishub = needs_of(training, keys.headers("admin"), nip=staff[2])[0]["need_id"]
    assert training.client.get(f"/needs/{dishub}", headers=boss).status_code == 404


@pytest.mark.parametrize("role", ["officer", "recruiter", "committee"])
def test_other_roles_are_refused(training, keys, staff, role):
    headers = keys.headers(role, nip=staff[0])
    assert training.client.get("/needs", headers=headers).status_code == 403
    assert training.client.get("/needs/summary?year=2025", headers=headers).status_code == 403


def test_a_token_is_required_and_must_name_a_nip(training, keys):
    assert training.client.get("/needs").status_code == 401
    assert training.client.get("/needs", headers=keys.headers("employee")).status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"nip": "12345"}, "nip"),
        ({"kind": "HOBBY"}, "kind"),
        ({"year": "next"}, "year"),
        ({"year": 1900}, "year"),
    ],
)
def test_bad_filters_are_named(training, admin, query, field):
    response = training.client.get("/needs", query_string=query, headers=admin)
    assert response.status_code == 422
    assert field in response.json["errors"]["query"]


def test_an_unknown_need_is_404(training, admin):
    response = training.client.get("/needs/NEED-2025-000000000000", headers=admin)
    assert response.status_code == 404


def test_the_summary_counts_per_unit_by_kind_and_competency(training, admin, staff, keys):
    response = training.client.get("/needs/summary", query_string={"year": 2025}, headers=admin)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["year"] == 2025
    bkd, dishub = body["units"]
    assert (bkd["unit"], bkd["needs"], bkd["employees"]) == ("BKD", 4, 2)
    assert bkd["by_kind"] == {"DEVELOPMENT": 1, "COMPETENCY": 3, "LATSAR": 0}
    assert bkd["by_competency"] == [
        {
            "kind": "COMPETENCY",
            "competency": "Kompetensi teknis bidang tugas",
            "competency_type": "TEKNIS",
            "needs": 2,
            "employees": 2,
        },
        {
            "kind": "COMPETENCY",
            "competency": "Perekat bangsa",
            "competency_type": "SOSIAL_KULTURAL",
            "needs": 1,
            "employees": 1,
        },
        {
            "kind": "DEVELOPMENT",
            "competency": "Pengembangan kinerja",
            "competency_type": "MANAJERIAL",
            "needs": 1,
            "employees": 1,
        },
    ]
    assert (dishub["unit"], dishub["needs"], dishub["by_kind"]["DEVELOPMENT"]) == ("DISHUB", 1, 1)

    one = training.client.get("/needs/summary?year=2025&unit=DISHUB", headers=admin).json
    assert [u["unit"] for u in one["units"]] == ["DISHUB"]
    assert training.client.get("/needs/summary?year=2026", headers=admin).json["units"] == []
    missing = training.client.get("/needs/summary", headers=admin)
    assert missing.status_code == 422 and "year" in missing.json["errors"]["query"]
    mine = keys.headers("employee", "supervisor", nip=APPRAISER)
    assert training.client.get("/needs/summary?year=2025", headers=mine).status_code == 403


# -- PostgreSQL -------------------------------------------------------------------------------


@pytest.mark.postgres
def test_needs_on_postgres(make_service, postgres_url, keys, employee_events):
    training = make_service("training", postgres_url)
    assert pending_changes(training.engine, training.spec.metadata) == []
    admin = keys.headers("admin")
    nip = employee_events.nip()
    data = appraisal_data(nip, results="DI_BAWAH", behaviour="DI_BAWAH", below=("kompeten",))
    event = finalized(data)
    cpns = employee_events.record(employee_events.nip(2, tmt=(2025, 3)), status="CPNS")

    assert training.deliver(event, finalized(data), employee_events.appointed(cpns)) == ["ack"] * 3
    assert training.deliver(event, employee_events.appointed(cpns)) == ["ack", "ack"]

    assert [n["kind"] for n in needs_of(training, admin, nip=nip)] == ["COMPETENCY", "DEVELOPMENT"]
    assert [n["kind"] for n in needs_of(training, admin, nip=cpns["nip"])] == ["LATSAR"]
    assert training.count("training_needs") == 3
    assert len(need_events(training)) == 3
