"""Sofifi Berprestasi through the awards service's HTTP API: programme, nominations, recusal,
scores, ranking, the one decision, the public list and withdrawal; every refusal leaves the
tables as they were."""

from __future__ import annotations

import pytest

from contracts import validate_event
from tests.service.awards_support import complaint, sanction
from tests.service.programme_support import YEAR, Province, commendation, days, programme_body

GRANTED = "awards.award.granted"
REVOKED = "awards.award.revoked"


@pytest.fixture
def awards(make_service):
    return make_service("awards")


@pytest.fixture
def province(awards, keys, employee_events):
    return Province(awards, keys, employee_events).setup()


def events_of(awards, event_type):
    found = [e for e in awards.outbox_events() if e["type"] == event_type]
    for envelope in found:
        validate_event(envelope)
    return found


def field_errors(response):
    return response.json["errors"]["json"]


# -- programme ------------------------------------------------------------------------------


def test_programme_is_published_with_categories_criteria_and_timeline(province):
    body = province.create()

    assert body["id"] == "SB-2024"
    assert [c["code"] for c in body["categories"]] == ["ASN_TELADAN", "INOVASI"]
    assert [c["weight"] for c in body["criteria"]] == [50, 30, 20]
    assert body["decided_at"] is None
    listed = province.awards.client.get("/programmes", headers=province.employee("ani"))
    assert [p["id"] for p in listed.json] == ["SB-2024"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"criteria": [{"code": "KINERJA", "name": "Kinerja", "weight": 90}]}, "criteria"),
        ({"scoring_open": days(-1)}, "scoring_open"),
        ({"categories": []}, "categories"),
        ({"total_budget": -1}, "total_budget"),
    ],
)
def test_a_bad_programme_is_refused_naming_the_field(province, overrides, field):
    response = province.awards.client.post(
        "/programmes", json=programme_body(**overrides), headers=province.admin()
    )

    assert response.status_code == 422, response.json
    assert field in field_errors(response)
    assert province.awards.count("programmes") == 0


def test_one_programme_per_year_and_only_admins_publish(province):
    province.create()
    again = province.awards.client.post(
        "/programmes", json=programme_body(), headers=province.admin()
    )
    by_committee = province.awards.client.post(
        "/programmes", json=programme_body(year=2025), headers=province.member("m1")
    )

    assert again.status_code == 409
    assert by_committee.status_code == 403
    assert province.awards.count("programmes") == 1


# -- nominations ----------------------------------------------------------------------------


def test_supervisor_nominates_an_eligible_employee_with_commendations_as_evidence(province):
    province.create()
    province.awards.deliver(
        commendation(province.nips["ani"], f"{YEAR}-05-09"),
        commendation(province.nips["ani"], f"{YEAR - 1}-05-09", tracking="LPR-2023-000001"),
    )

    response = province.nominate("ani")

    assert response.status_code == 201, response.json
    body = response.json
    assert body["unit"] == "BKD" and body["nominated_by"] == "sup"
    assert body["commendations"] == [{"recorded_on": f"{YEAR}-05-09", "unit": "BKD"}]
    assert "tracking_number" not in str(body)
    # The head of the unit, above the supervisor, may nominate too.
    assert province.nominate("budi", by="head").status_code == 201


def test_nominating_an_ineligible_employee_is_refused_and_nothing_is_written(province):
    province.create()

    response = province.nominate("dina")  # predikat BAIK

    assert response.status_code == 422
    assert "PREDIKAT_NOT_SANGAT_BAIK" in field_errors(response)["nip"][0]
    assert province.awards.count("nominations") == 0


@pytest.mark.parametrize(
    ("key", "by", "category", "status"),
    [
        ("eko", "sup", "ASN_TELADAN", 403),  # not in eko's supervision chain
        ("ani", "ani", "ASN_TELADAN", 403),  # this category takes no self-nomination
        ("ani", "ani", "INOVASI", 201),  # this one does
    ],
)
def test_who_may_nominate(province, key, by, category, status):
    province.create()

    response = province.nominate(key, category=category, by=by)

    assert response.status_code == status, response.json
    assert province.awards.count("nominations") == (1 if status == 201 else 0)


def test_nominations_only_in_their_window_and_once_per_person(province):
    province.create(nominations_open=days(-3), nominations_close=days(-1))
    closed = province.nominate("ani")
    province.awards.client.patch(
        "/programmes/SB-2024", json={"nominations_close": days(0)}, headers=province.admin()
    )
    first = province.nominate("ani")
    second = province.nominate("ani", category="INOVASI")

    assert closed.status_code == 409 and "Nominations are open" in closed.json["message"]
    assert first.status_code == 201
    assert second.status_code == 409
    assert province.awards.count("nominations") == 1


# -- scoring --------------------------------------------------------------------------------


@pytest.fixture
def nominated(province):
    province.create()
    ids = {}
    for key in ("ani", "budi", "citra"):
        ids[key] = province.nominate(key, category="INOVASI").json["id"]
    ids["eko"] = province.nominate("eko", by="dinsup").json["id"]
    return ids


@pytest.mark.parametrize(
    ("member", "nip_key", "unit", "nominee", "reason"),
    [
        ("m-sup", "sup", "BKD", "ani", "NOMINATED_THEM"),
        ("m-head", "head", None, "ani", "SUPERVISION_CHAIN"),
        ("m-dinkes", None, "DINKES", "eko", "SAME_UNIT"),
        ("m-ani", "ani", None, "ani", "IS_NOMINEE"),
    ],
)
def test_a_member_with_a_conflict_cannot_score(
    province, nominated, member, nip_key, unit, nominee, reason
):
    headers = province.member(member, nip_key, unit)

    response = province.score(nominated[nominee], headers, 90, 90, 90)
    listed = province.awards.client.get("/programmes/SB-2024/nominations", headers=headers)

    assert response.status_code == 403
    assert reason in response.json["message"]
    assert province.awards.count("score_sheets") == 0
    assert listed.status_code == 200, listed.json
    status = {n["id"]: (n["my_status"], n["my_recusal"]) for n in listed.json}
    assert status[nominated[nominee]] == ("RECUSED", reason)  # the member's page says why


def test_a_declared_recusal_is_enforced(province, nominated):
    headers = province.member("m1", "member", "INSPEKTORAT")

    declared = province.awards.client.post(
        f"/nominations/{nominated['ani']}/recusal", headers=headers
    )
    refused = province.score(nominated["ani"], headers, 90, 90, 90)

    assert declared.status_code == 200 and declared.json["status"] == "RECUSED"
    assert refused.status_code == 403 and "DECLARED" in refused.json["message"]
    assert province.awards.count("score_sheets") == 0
    read = province.awards.client.get(f"/nominations/{nominated['ani']}", headers=headers)
    assert (read.json["my_status"], read.json["my_recusal"]) == ("RECUSED", "DECLARED")


def test_scores_are_hidden_until_the_member_has_submitted(province, nominated):
    m1, m2 = province.member("m1", unit="INSPEKTORAT"), province.member("m2", unit="BAPPEDA")
    ani = nominated["ani"]
    assert province.score(ani, m1, 90, 80, 70).status_code == 201

    hidden = province.awards.client.get(f"/nominations/{ani}/scores", headers=m2)
    mine = province.score(ani, m2, 70, 80, 90)
    again = province.score(ani, m2, 10, 10, 10)

    assert hidden.status_code == 403
    assert mine.status_code == 201
    sheets = {s["member"]: s["total"] for s in mine.json["sheets"]}
    assert sheets == {"m1": 83.0, "m2": 77.0}  # 0.5*90+0.3*80+0.2*70 and 0.5*70+0.3*80+0.2*90
    aggregate = mine.json["aggregate"]
    assert aggregate["score"] == 80.0 and aggregate["scorers"] == 2
    assert aggregate["spread"] == {"min": 77.0, "max": 83.0, "stdev": 3.0}
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("scores", "problem"),
    [
        ({"KINERJA": 90, "INTEGRITAS": 80}, "Missing a score"),
        ({"KINERJA": 90, "INTEGRITAS": 80, "INOVASI": 70, "LAIN": 1}, "Not a criterion"),
        ({"KINERJA": 101, "INTEGRITAS": 80, "INOVASI": 70}, None),
    ],
)
def test_a_bad_score_sheet_is_refused(province, nominated, scores, problem):
    response = province.awards.client.post(
        f"/nominations/{nominated['ani']}/scores",
        json={"scores": scores},
        headers=province.member("m1", unit="INSPEKTORAT"),
    )

    assert response.status_code == 422
    assert "scores" in field_errors(response)
    if problem:
        assert problem in field_errors(response)["scores"][0]
    assert province.awards.count("score_sheets") == 0


def test_scoring_outside_its_window_is_refused(province, nominated):
    moved = province.awards.client.patch(
        "/programmes/SB-2024",
        json={"scoring_open": days(1), "scoring_close": days(2), "decision_on": days(3)}
        | {"announcement_on": days(3)},
        headers=province.admin(),
    )
    assert moved.status_code == 200, moved.json
    response = province.score(nominated["ani"], province.member("m1"), 90, 90, 90)

    assert response.status_code == 409
    assert "Scoring is open from" in response.json["message"]
    assert province.awards.count("score_sheets") == 0


# -- ranking and decision -------------------------------------------------------------------


@pytest.fixture
def scored(province, nominated):
    m1, m2, m3 = (province.member(f"m{i}", unit="INSPEKTORAT") for i in (1, 2, 3))
    # ani and budi tie on the aggregate (80); ani is better on KINERJA, the heaviest criterion.
    sheets = {
        "ani": [(m1, 90, 70, 70), (m2, 90, 70, 70)],  # 80, 80
        "budi": [(m1, 70, 90, 90), (m2, 70, 90, 90)],  # 80, 80
        "citra": [(m1, 60, 60, 60), (m2, 70, 70, 70)],  # 60, 70
        "eko": [(m1, 95, 95, 95), (m3, 85, 85, 85)],  # 95, 85
    }
    for key, rows in sheets.items():
        for headers, k, i, n in rows:
            assert province.score(nominated[key], headers, k, i, n).status_code == 201
    return nominated


def test_ranking_breaks_ties_by_the_heaviest_criterion(province, scored):
    response = province.awards.client.get("/programmes/SB-2024/ranking", headers=province.admin())

    assert response.status_code == 200
    inovasi = {c["category"]: c for c in response.json["categories"]}["INOVASI"]
    assert [r["nomination_id"] for r in inovasi["ranked"]] == [
        scored["ani"],
        scored["budi"],
        scored["citra"],
    ]
    assert [r["score"] for r in inovasi["ranked"]] == [80.0, 80.0, 65.0]


@pytest.mark.parametrize(
    ("chosen", "problem"),
    [
        (["ani", "budi", "citra"], "exceed its quota of 2"),
        (["budi"], "would be passed over"),
        (["ani", "budi", "eko"], "exceed the budget"),  # 10 + 10 + 15 > 30 million
    ],
)
def test_a_decision_beyond_quota_budget_or_ranking_is_refused(province, scored, chosen, problem):
    if problem == "exceed the budget":
        with province.awards.engine.begin() as connection:  # a tighter budget than the default
            connection.exec_driver_sql("UPDATE programmes SET total_budget = 30000000")

    response = province.decide([scored[key] for key in chosen])

    assert response.status_code == 422
    assert problem in field_errors(response)["awards"][0]
    assert province.awards.count("award_decisions") == 0
    assert province.awards.count("grants") == 0
    assert events_of(province.awards, GRANTED) == []


def test_the_decision_grants_publishes_and_happens_once(province, scored):
    response = province.decide([scored["ani"], scored["budi"], scored["eko"]])

    assert response.status_code == 201, response.json
    grants = {g["nip"]: g for g in response.json["grants"]}
    assert grants[province.nips["eko"]]["amount"] == 15_000_000
    assert response.json["total_amount"] == 35_000_000
    results = {r["nomination_id"]: r for r in response.json["results"]}
    assert results[scored["citra"]]["awarded"] is False
    assert len(results[scored["ani"]]["sheets"]) == 2
    published = events_of(province.awards, GRANTED)
    assert [e["version"] for e in published] == [2, 2, 2]
    assert {e["data"]["nip"]: e["data"]["category"] for e in published} == {
        province.nips["ani"]: "INOVASI",
        province.nips["budi"]: "INOVASI",
        province.nips["eko"]: "ASN_TELADAN",
    }

    second = province.decide([scored["ani"]])
    late_score = province.score(scored["citra"], province.member("m3"), 99, 99, 99)

    assert second.status_code == 409
    assert late_score.status_code == 409
    assert province.awards.count("grants") == 3
    assert len(events_of(province.awards, GRANTED)) == 3


def test_public_list_without_a_token_shows_name_unit_position_and_scores(province, scored):
    before = province.awards.client.get(f"/public/sofifi-berprestasi/{YEAR}")
    province.decide([scored["ani"], scored["eko"]])

    response = province.awards.client.get(f"/public/sofifi-berprestasi/{YEAR}")

    assert before.status_code == 404
    assert response.status_code == 200
    body = response.json
    assert [c["weight"] for c in body["criteria"]] == [50, 30, 20]
    by_category = {c["code"]: c["awardees"] for c in body["categories"]}
    assert [a["name"] for a in by_category["INOVASI"]] == ["Pegawai Ani"]
    assert by_category["ASN_TELADAN"][0] | {"criteria": None} == {
        "name": "Pegawai Eko",
        "unit": "DINKES",
        "position": "Analis Kebijakan",
        "category": "ASN_TELADAN",
        "rank": 1,
        "score": 90.0,
        "scorers": 2,
        "criteria": None,
    }
    assert [u["unit"] for u in body["units"]] == ["BKD", "DINKES"]
    text = response.get_data(as_text=True)
    assert province.nips["ani"] not in text and "m1" not in text


def test_a_later_sanction_or_complaint_about_the_year_withdraws_the_award(province, scored):
    province.decide([scored["ani"], scored["budi"], scored["eko"]])

    fates = province.awards.deliver(
        sanction(province.nips["ani"], effective_from=f"{YEAR}-11-01"),
        sanction(province.nips["eko"], sanction_id="HD-2025-1", effective_from=f"{YEAR + 1}-02-01"),
        complaint(province.nips["budi"], incident_date=f"{YEAR}-09-01"),
    )

    assert fates == ["ack", "ack", "ack"]
    withdrawn = {e["data"]["nip"]: e["data"]["reason"] for e in events_of(province.awards, REVOKED)}
    assert withdrawn == {
        province.nips["ani"]: "DISCIPLINARY_SANCTION",
        province.nips["budi"]: "SUBSTANTIATED_COMPLAINT",
    }
    public = province.awards.client.get(f"/public/sofifi-berprestasi/{YEAR}").json
    names = [a["name"] for c in public["categories"] for a in c["awardees"]]
    assert names == ["Pegawai Eko"]
    decision = province.awards.client.get(
        "/programmes/SB-2024/decision", headers=province.admin()
    ).json
    reasons = {g["nip"]: g["revocation_reason"] for g in decision["grants"]}
    assert reasons[province.nips["eko"]] is None


def test_a_nominee_who_loses_eligibility_before_the_decision_is_set_apart(province, scored):
    # ani (first in INOVASI) is sanctioned for the year: eligibility is decided again.
    assert province.awards.deliver(sanction(province.nips["ani"])) == ["ack"]

    ranking = province.awards.client.get("/programmes/SB-2024/ranking", headers=province.admin())
    refused = province.decide([scored["ani"]])
    decided = province.decide([scored["budi"]])

    inovasi = {c["category"]: c for c in ranking.json["categories"]}["INOVASI"]
    assert [r["nomination_id"] for r in inovasi["ranked"]] == [scored["budi"], scored["citra"]]
    assert [r["nomination_id"] for r in inovasi["ineligible"]] == [scored["ani"]]
    assert refused.status_code == 422
    assert "no longer eligible" in field_errors(refused)["awards"][0]
    assert decided.status_code == 201, decided.json


@pytest.mark.parametrize(
    ("path", "status"),
    [
        # Beyond a database integer: a 422 naming the path value (chassis.inputs), not a 500.
        ("/nominations/99999999999999999999999", 422),
        ("/nominations/0/scores", 404),
        ("/public/sofifi-berprestasi/99999999999999999999", 422),
        ("/programmes/SB-9999", 404),
    ],
)
def test_out_of_range_paths_are_refused_not_500(province, path, status):
    headers = province.admin() if not path.startswith("/public") else {}

    answer = province.awards.client.get(path, headers=headers)
    assert answer.status_code == status, answer.json
    if status == 422:
        assert answer.json["errors"]["path"]


@pytest.mark.postgres
def test_the_whole_programme_on_postgres(make_service, postgres_url, keys, employee_events):
    province = Province(make_service("awards", postgres_url), keys, employee_events).setup()
    province.create()
    ani = province.nominate("ani", category="INOVASI").json["id"]
    refused = province.score(ani, province.member("m-sup", "sup"), 90, 90, 90)
    for name in ("m1", "m2"):
        assert province.score(ani, province.member(name), 90, 80, 70).status_code == 201

    decided = province.decide([ani])
    again = province.decide([ani])
    public = province.awards.client.get(f"/public/sofifi-berprestasi/{YEAR}")

    assert refused.status_code == 403
    assert decided.status_code == 201, decided.json
    assert again.status_code == 409
    assert public.json["categories"][1]["awardees"][0]["score"] == 83.0
    assert len(events_of(province.awards, GRANTED)) == 1
