"""Appeals: the secret, the 3-day window, once per applicant, decisions within 7 days."""

from __future__ import annotations

import pytest

from tests.service.selection_support import YEAR


@pytest.fixture
def fid(selection):
    """An announced formation of quota 1: REG-00002 selected, REG-00001 second."""
    fid = selection.formation(quota=1)["id"]
    selection.prepared(fid, {1: (100, 100, 180, "80"), 2: (90, 95, 170, "90.5")})
    assert selection.announce(fid).status_code == 200
    return fid


def test_an_appeal_is_filed_with_the_secret(selection, recruitment, fid):
    response = selection.appeal("REG-00001")
    assert response.status_code == 201, response.json
    assert response.json["status"] == "FILED"
    assert response.json["answer_due"] > response.json["filed_at"]
    [row] = recruitment.rows("appeals")
    assert row["grounds"] == "Skor TKP salah"
    [entry] = selection.audit(entity="appeal")
    assert (entry["entity_id"], entry["new_value"], entry["actor"]) == (
        "REG-00001",
        "FILED",
        "applicant",
    )


@pytest.mark.parametrize(
    ("number", "secret"),
    [("REG-00001", "wrong-secret"), ("REG-55555", "wrong-secret"), ("REG-00001", None)],
)
def test_a_wrong_secret_or_number_is_404_without_saying_which(
    selection, recruitment, fid, number, secret
):
    if secret is None:  # the other applicant's secret
        secret = selection.secrets["REG-00002"]
    before = selection.state()
    response = selection.appeal(number, secret)
    assert response.status_code == 404
    assert response.json["message"] == "No application with this registration number and secret."
    assert selection.state() == before


def test_an_appeal_is_filed_once(selection, recruitment, fid):
    assert selection.appeal("REG-00001").status_code == 201
    before = selection.state()
    assert selection.appeal("REG-00001", grounds="Lagi").status_code == 409
    assert selection.state() == before


def test_an_appeal_after_three_days_is_refused(selection, recruitment, fid):
    selection.age_announcements(days=4)
    before = selection.state()
    response = selection.appeal("REG-00001")
    assert response.status_code == 409
    assert "until" in response.json["message"]
    assert selection.state() == before


def test_an_appeal_before_the_announcement_is_refused(selection, recruitment):
    fid = selection.formation("2024-BKD-0001", unit="BKD")["id"]
    assert selection.register(fid, 7).status_code == 201
    response = selection.appeal("REG-00007")
    assert response.status_code == 409
    assert recruitment.count("appeals") == 0


def test_a_rejected_appeal_changes_no_score(selection, recruitment, fid):
    selection.appeal("REG-00001")
    before = recruitment.rows("applications")
    response = selection.call(
        "post",
        "/appeals/REG-00001/decision",
        json={"status": "REJECTED", "decision": "Nilai sudah sesuai hasil CAT"},
    )
    assert response.status_code == 200, response.json
    assert response.json["status"] == "REJECTED"
    assert response.json["decided_by"] == "admin-user"
    assert recruitment.rows("applications") == before
    assert selection.ranking(fid)["REG-00002"]["outcome"] == "SELECTED"
    second = selection.call(
        "post", "/appeals/REG-00001/decision", json={"status": "REJECTED", "decision": "Lagi"}
    )
    assert second.status_code == 409


def test_an_accepted_appeal_corrects_through_the_audit_and_re_ranks(selection, recruitment, fid):
    selection.appeal("REG-00001")
    response = selection.call(
        "post",
        "/appeals/REG-00001/decision",
        json={
            "status": "ACCEPTED",
            "decision": "TKP salah rekap",
            "corrections": {"tkp": 200, "skb": "95"},
        },
    )
    assert response.status_code == 200, response.json
    ranking = selection.ranking(fid)
    assert ranking["REG-00001"]["outcome"] == "SELECTED"
    assert ranking["REG-00001"]["final_score"] == "86.091"  # 400/550*40 + 95*0.6
    trail = selection.audit(registration_number="REG-00001")
    changes = {(e["field"], e["old_value"], e["new_value"], e["reason"]) for e in trail}
    assert ("tkp", "180", "200", "TKP salah rekap") in changes
    assert ("skb", "80", "95", "TKP salah rekap") in changes
    assert ("status", "FILED", "ACCEPTED", "TKP salah rekap") in changes
    public = recruitment.client.get(f"/formations/{fid}/announcement").json["items"]
    assert public[0]["registration_number"] == "REG-00001"


@pytest.mark.parametrize(
    "body",
    [
        {"status": "ACCEPTED", "decision": "Ya"},  # accepted without a correction
        {"status": "REJECTED", "decision": "Tidak", "corrections": {"tkp": 200}},
        {"status": "ACCEPTED", "decision": "Ya", "corrections": {"tkp": 226}},
        {"status": "ACCEPTED", "decision": "Ya", "corrections": {"verification": "TMS"}},
        {"status": "MAYBE", "decision": "?"},
        {"status": "REJECTED"},
    ],
)
def test_a_bad_decision_is_refused_and_changes_nothing(selection, recruitment, fid, body):
    selection.appeal("REG-00001")
    before = selection.state()
    response = selection.call("post", "/appeals/REG-00001/decision", json=body)
    assert response.status_code == 422, response.json
    assert selection.state() == before


def test_a_late_decision_is_taken_but_flagged_overdue(selection, recruitment, fid):
    selection.appeal("REG-00001")
    selection.age_appeals(days=9)
    listed = selection.call("get", f"/selection/{YEAR}/appeals", query_string={"status": "FILED"})
    assert [a["overdue"] for a in listed.json["items"]] == [True]

    response = selection.call(
        "post", "/appeals/REG-00001/decision", json={"status": "REJECTED", "decision": "Sesuai"}
    )
    assert response.status_code == 200
    assert response.json["overdue"] is True
    [entry] = [e for e in selection.audit(entity="appeal") if e["new_value"] == "REJECTED"]
    assert entry["reason"].endswith("[decided after the 7-day deadline]")


def test_only_admins_decide_and_read_appeals(selection, keys, fid):
    selection.appeal("REG-00001")
    for role in ("recruiter", "employee"):
        response = selection.call(
            "post", "/appeals/REG-00001/decision", role=role,
            json={"status": "REJECTED", "decision": "x"},
        )  # fmt: skip
        assert response.status_code == 403
    assert selection.call("get", "/appeals/REG-00001", role=None).status_code == 401


def lookup(recruitment, number: str, secret: str):
    body = {"registration_number": number, "secret": secret}
    return recruitment.client.post("/appeals/status", json=body)


def test_an_applicant_looks_up_their_appeal_with_the_secret(selection, recruitment, fid):
    secret = selection.secrets["REG-00001"]
    none_yet = lookup(recruitment, "REG-00001", secret)
    assert none_yet.status_code == 404
    assert none_yet.json["message"] == "No appeal was filed for this application."
    assert selection.appeal("REG-00001").status_code == 201

    filed = lookup(recruitment, "REG-00001", secret)

    assert filed.status_code == 200, filed.json
    assert filed.json["status"] == "FILED" and filed.json["decision"] is None
    assert filed.json["answer_due"] > filed.json["filed_at"]
    assert filed.json["grounds"] == "Skor TKP salah"
    decision = {"status": "REJECTED", "decision": "Skor sudah benar"}
    decided = selection.call("post", "/appeals/REG-00001/decision", json=decision)
    assert decided.status_code == 200, decided.json
    answered = lookup(recruitment, "REG-00001", secret).json
    assert (answered["status"], answered["decision"]) == ("REJECTED", "Skor sudah benar")
    assert answered["decided_at"] is not None
    assert "decided_by" not in answered and "nik" not in answered and secret not in str(answered)


@pytest.mark.parametrize(
    ("number", "secret"),
    [("REG-00001", "wrong-secret"), ("REG-55555", "wrong-secret"), ("REG-00001", None)],
)
def test_a_lookup_with_a_wrong_secret_or_number_is_the_same_404(
    selection, recruitment, fid, number, secret
):
    assert selection.appeal("REG-00001").status_code == 201
    secret = secret or selection.secrets["REG-00002"]
    response = lookup(recruitment, number, secret)
    assert response.status_code == 404
    assert response.json["message"] == "No application with this registration number and secret."


def test_a_lookup_needs_both_fields(recruitment, fid):
    response = recruitment.client.post("/appeals/status", json={"registration_number": "X"})
    assert response.status_code == 422 and "secret" in response.json["errors"]["json"]
