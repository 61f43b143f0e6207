"""IKM surveys and public consultations of the feedback service, through HTTP."""

from __future__ import annotations

import pytest

from contracts.feedback import IKM_ELEMENTS
from tests.service.feedback_support import OTHER_UNIT, UNIT, Clock, Feedback, wit


@pytest.fixture
def feedback(make_service, keys) -> Feedback:
    return Feedback(make_service("feedback"), keys, Clock(wit(2025, 4, 17, 10)))


def open_survey(feedback: Feedback, population: int = 120) -> int:
    response = feedback.client.post(
        "/ikm/surveys",
        json={"unit": UNIT, "year": 2025, "period": "S1", "population": population},
        headers=feedback.admin,
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def codes(feedback: Feedback, survey_id: int, count: int) -> list[str]:
    response = feedback.client.post(
        f"/ikm/surveys/{survey_id}/codes", json={"count": count}, headers=feedback.officer
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["codes"]


def answer(feedback: Feedback, survey_id: int, code: str, scores: list[int], **extra):
    return feedback.client.post(
        f"/ikm/surveys/{survey_id}/answers",
        json={"code": code, "answers": dict(zip(IKM_ELEMENTS, scores, strict=True)), **extra},
    )


def test_a_survey_is_answered_once_per_code_and_published_with_the_formula(feedback):
    survey = open_survey(feedback)
    issued = codes(feedback, survey, 4)
    hand_worked = [
        [4, 3, 3, 4, 3, 3, 4, 3, 2],
        [3, 3, 2, 4, 3, 4, 4, 3, 3],
        [4, 4, 3, 4, 3, 3, 3, 2, 3],
        [3, 3, 3, 4, 4, 3, 4, 3, 2],
    ]
    for code, scores in zip(issued, hand_worked, strict=True):
        response = answer(feedback, survey, code, scores, gender="P", age_band="30-39")
        assert response.status_code == 201, response.get_json()
    assert answer(feedback, survey, issued[0], [4] * 9).status_code == 409
    assert answer(feedback, survey, "ZZZZZZZZZZ", [4] * 9).status_code == 422
    assert feedback.service.count("ikm_responses") == 4
    published = feedback.client.post(f"/ikm/surveys/{survey}/publish", headers=feedback.admin)
    assert published.status_code == 200, published.get_json()
    result = published.get_json()["result"]
    assert (result["ikm"], result["category"], result["quality"]) == (80.56, "B", "Baik")
    assert result["nrr"]["time"] == 2.75
    # 120 served: Krejcie-Morgan asks for 92 respondents; 4 is too few, and the result says so.
    assert (result["minimum_sample"], result["sample_sufficient"]) == (92, False)
    [event] = feedback.events("feedback.ikm.published")
    assert event["data"]["ikm"] == 80.56 and event["data"]["respondents"] == 4
    assert event["data"]["unit"] == UNIT and event["data"]["period"] == "S1"
    public = feedback.client.get(f"/ikm/results?unit={UNIT}").get_json()
    assert [r["result"]["ikm"] for r in public] == [80.56]
    assert answer(feedback, survey, issued[1], [4] * 9).status_code == 409  # closed
    again = feedback.client.post(f"/ikm/surveys/{survey}/publish", headers=feedback.admin)
    assert again.status_code == 409


def test_bad_answers_are_422_naming_the_element_and_store_nothing(feedback):
    survey = open_survey(feedback)
    [code] = codes(feedback, survey, 1)
    response = answer(feedback, survey, code, [4, 4, 4, 5, 4, 4, 4, 4, 4])
    assert response.status_code == 422
    assert "cost" in response.get_json()["errors"]["json"]["answers"]
    assert feedback.service.count("ikm_responses") == 0
    assert answer(feedback, survey, code, [4] * 9).status_code == 201  # the code is still good


def test_one_survey_per_unit_and_period_and_admins_open_them(feedback):
    open_survey(feedback)
    again = feedback.client.post(
        "/ikm/surveys",
        json={"unit": UNIT, "year": 2025, "period": "S1", "population": 10},
        headers=feedback.admin,
    )
    assert again.status_code == 409
    by_officer = feedback.client.post(
        "/ikm/surveys",
        json={"unit": UNIT, "year": 2025, "period": "S2", "population": 10},
        headers=feedback.officer,
    )
    assert by_officer.status_code == 403
    bad_period = feedback.client.post(
        "/ikm/surveys",
        json={"unit": UNIT, "year": 2025, "period": "H1", "population": 10},
        headers=feedback.admin,
    )
    assert bad_period.status_code == 422
    survey = feedback.client.get("/ikm/surveys").get_json()[0]["id"]
    elsewhere = feedback.client.post(
        f"/ikm/surveys/{survey}/codes", json={"count": 5}, headers=feedback.other_officer
    )
    assert elsewhere.status_code == 403


# -- consultations ----------------------------------------------------------------------------


def open_consultation(feedback: Feedback) -> int:
    response = feedback.client.post(
        "/consultations",
        json={
            "unit": UNIT,
            "title": "Rancangan standar pelayanan izin usaha",
            "draft": "Waktu penyelesaian 5 hari kerja; tanpa biaya.",
            "closes_on": "2025-04-30",
        },
        headers=feedback.officer,
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_a_consultation_with_comments_replies_moderation_and_a_summary(feedback):
    consultation = open_consultation(feedback)
    path = f"/consultations/{consultation}"
    first = feedback.client.post(f"{path}/comments", json={"body": "Setuju, <script>x</script>"})
    assert first.status_code == 201
    first_id = first.get_json()["id"]
    reply = feedback.client.post(
        f"{path}/comments", json={"body": "Saya juga", "name": "Ani", "reply_to": first_id}
    )
    assert reply.status_code == 201 and reply.get_json()["reply_to"] == first_id
    spam = feedback.client.post(f"{path}/comments", json={"body": "Beli obat murah!"})
    spam_id = spam.get_json()["id"]
    assert feedback.client.post(f"{path}/comments/{spam_id}/flag").status_code == 200
    other_unit = feedback.client.post(
        f"{path}/comments/{spam_id}/moderation",
        json={"hidden": True, "reason": "Iklan"},
        headers=feedback.other_officer,
    )
    assert other_unit.status_code == 403
    hidden = feedback.client.post(
        f"{path}/comments/{spam_id}/moderation",
        json={"hidden": True, "reason": "Iklan"},
        headers=feedback.officer,
    )
    assert hidden.status_code == 200
    shown = feedback.client.get(path).get_json()
    assert [c["id"] for c in shown["comments"]] == [first_id, spam_id]
    assert shown["comments"][0]["replies"][0]["name"] == "Ani"
    assert "Beli obat" not in str(shown) and shown["comments"][1]["hidden"] is True
    log = feedback.client.get(f"{path}/moderation", headers=feedback.officer).get_json()
    assert [(m["action"], m["reason"], m["by"]) for m in log["moderations"]] == [
        ("HIDE", "Iklan", "petugas-dpmptsp")
    ]
    assert log["flagged"][0]["comment_id"] == spam_id
    early = feedback.client.post(
        f"{path}/summary", json={"summary": "Terima kasih"}, headers=feedback.officer
    )
    assert early.status_code == 409
    feedback.clock.set(wit(2025, 5, 1, 9))
    late = feedback.client.post(f"{path}/comments", json={"body": "Terlambat"})
    assert late.status_code == 409
    summary = feedback.client.post(
        f"{path}/summary", json={"summary": "Waktu layanan tetap 5 hari."}, headers=feedback.officer
    )
    assert summary.status_code == 200 and summary.get_json()["open"] is False
    assert summary.get_json()["summary"] == "Waktu layanan tetap 5 hari."


def test_comment_honeypot_and_bounds(feedback):
    consultation = open_consultation(feedback)
    path = f"/consultations/{consultation}/comments"
    assert feedback.client.post(path, json={"body": "x", "website": "spam"}).status_code == 422
    assert feedback.client.post(path, json={"body": "x" * 3001}).status_code == 422
    assert feedback.client.post(path, json={"body": "x", "reply_to": 999}).status_code == 422
    assert feedback.client.post("/consultations/999/comments", json={"body": "x"}).status_code == (
        404
    )
    officer_elsewhere = feedback.client.post(
        "/consultations",
        json={"unit": OTHER_UNIT, "title": "t", "draft": "d", "closes_on": "2025-05-30"},
        headers=feedback.officer,
    )
    assert officer_elsewhere.status_code == 403
