"""The public announcement and the passing grades: no login, no NIK, frozen once announced."""

from __future__ import annotations

import pytest

from tests.service.selection_support import YEAR, applicant


def test_the_announcement_is_public_and_carries_no_personal_data(selection, recruitment):
    fid = selection.formation(quota=1)["id"]
    selection.prepared(fid, {1: (100, 100, 180, "80"), 2: (90, 95, 170, "90.5")})
    assert recruitment.client.get(f"/formations/{fid}/announcement").status_code == 404

    announced = selection.announce(fid)
    assert announced.status_code == 200 and announced.json["announced_by"] == "admin-user"
    response = recruitment.client.get(f"/formations/{fid}/announcement")

    assert response.status_code == 200
    body = response.text
    for number in (1, 2):
        person = applicant(number)
        assert person["nik"] not in body
        assert person["nik"][:4] + "*" not in body  # not even masked
        assert person["birth_date"] not in body
        assert selection.secrets[person["registration_number"]] not in body
    first, second = response.json["items"]
    assert first == {
        "registration_number": "REG-00002",
        "name": "Pelamar 2",
        "twk": 90,
        "tiu": 95,
        "tkp": 170,
        "skd_total": 355,
        "skb": "90.50",
        "final_score": "80.118",
        "rank": 1,
        "outcome": "SELECTED",
        "optimised_into": None,
    }
    assert second["outcome"] == "NOT_SELECTED"
    assert response.json["formation"]["code"] == "2024-DINKES-0001"
    assert response.json["appeal_filing_closes"] > response.json["formation"]["announced_at"]
    # Announced once: a second announcement and a re-ranking are refused.
    assert selection.announce(fid).status_code == 409
    assert selection.call("post", f"/formations/{fid}/rank").status_code == 409


def test_an_unknown_formation_has_no_announcement(recruitment):
    assert recruitment.client.get("/formations/404/announcement").status_code == 404


def test_the_ranking_list_is_for_managers_only(selection, recruitment):
    fid = selection.formation()["id"]
    assert recruitment.client.get(f"/formations/{fid}/ranking").status_code == 401
    assert selection.call("get", f"/formations/{fid}/ranking", role="employee").status_code == 403


def test_passing_grades_default_to_2024_and_are_configurable(selection, recruitment):
    grades = selection.call("get", f"/selection/{YEAR}/passing-grades").json
    general = next(g for g in grades if g["category"] == "GENERAL")
    assert (general["twk_min"], general["tiu_min"], general["tkp_min"]) == (65, 80, 166)
    assert general["source"] == "KepmenPANRB 321/2024"
    disability = next(g for g in grades if g["category"] == "DISABILITY")
    assert (disability["total_min"], disability["tiu_min"]) == (286, 60)

    url = f"/selection/{YEAR}/passing-grades/GENERAL"
    body = {"twk_min": 70, "tiu_min": 80, "tkp_min": 166, "reason": "Kepmen baru"}
    response = selection.call("put", url, json=body)
    assert response.status_code == 200, response.json
    assert response.json["twk_min"] == 70 and response.json["source"] == "configured"
    [entry] = selection.audit(entity="passing_grade")
    assert (entry["entity_id"], entry["field"], entry["old_value"], entry["new_value"]) == (
        f"{YEAR}/GENERAL",
        "twk_min",
        "65",
        "70",
    )
    assert selection.call("put", url, role="recruiter", json=body).status_code == 403


@pytest.mark.parametrize(
    ("category", "body"),
    [("VETERAN", {"twk_min": 70}), ("GENERAL", {"twk_min": 151}), ("GENERAL", {"tiu_min": 82})],
)
def test_a_bad_passing_grade_is_refused(selection, recruitment, category, body):
    response = selection.call("put", f"/selection/{YEAR}/passing-grades/{category}", json=body)
    assert response.status_code == 422
    assert recruitment.count("passing_grades") == recruitment.count("audit_log") == 0


def test_a_configured_passing_grade_changes_the_ranking(selection, recruitment):
    fid = selection.formation(quota=1)["id"]
    selection.prepared(fid, {1: (100, 100, 180, "80"), 2: (90, 95, 170, "90.5")})
    body = {"twk_min": 95, "tiu_min": 80, "tkp_min": 166}
    url = f"/selection/{YEAR}/passing-grades/GENERAL"
    assert selection.call("put", url, json=body).status_code == 200
    assert selection.call("post", f"/formations/{fid}/rank").status_code == 200
    ranking = selection.ranking(fid)
    assert ranking["REG-00002"]["outcome"] == "FAILED_GRADE"
    assert ranking["REG-00001"]["outcome"] == "SELECTED"
    selection.announce(fid)
    late = selection.call("put", f"/selection/{YEAR}/passing-grades/GENERAL", json=body)
    assert late.status_code == 409


def test_long_lists_come_in_pages(selection, recruitment):
    fid = selection.formation(quota=1)["id"]
    for code in ("2024-RSUD-0001", "2024-RSUD-0002"):
        selection.formation(code, unit="RSUD")
    selection.prepared(
        fid, {1: (100, 100, 180, "80"), 2: (90, 95, 170, "90.5"), 3: (100, 100, 170, "60")}
    )
    selection.announce(fid)
    urls = {
        f"/formations/{fid}/announcement": None,
        f"/formations/{fid}/ranking": "admin",
        f"/formations/{fid}/applications": "recruiter",
        "/selection/audit": "admin",
        "/formations": "recruiter",
    }
    for url, role in urls.items():
        whole = selection.call("get", url, role=role, query_string={"page_size": 500}).json
        assert whole["total"] == len(whole["items"]) >= 3 and whole["page"] == 1
        page = selection.call("get", url, role=role, query_string={"page": 2, "page_size": 2})
        assert page.status_code == 200, page.json
        assert (page.json["page"], page.json["page_size"], page.json["total"]) == (
            2, 2, whole["total"],
        )  # fmt: skip
        assert page.json["items"] == whole["items"][2:4]
        default = selection.call("get", url, role=role).json
        assert default["page_size"] == 50
        for bad in ({"page_size": 501}, {"page_size": 0}, {"page": 0}):
            refused = selection.call("get", url, role=role, query_string=bad)
            assert refused.status_code == 422
            assert set(refused.json["errors"]["query"]) == set(bad)
    announced = recruitment.client.get(
        f"/formations/{fid}/announcement", query_string={"page_size": 1}
    ).json
    assert [r["registration_number"] for r in announced["items"]] == ["REG-00002"]
    assert announced["formation"]["id"] == fid and announced["total"] == 3
    past_the_end = recruitment.client.get(
        f"/formations/{fid}/announcement", query_string={"page": 9}
    ).json
    assert (past_the_end["items"], past_the_end["total"]) == ([], 3)
