"""The CPNS selection through its HTTP API: formation to appointment, with what is stored."""

from __future__ import annotations

import pytest

from chassis.migrations import pending_changes
from contracts import validate_event
from services.recruitment.app import SPEC
from tests.service.selection_support import YEAR, Selection, applicant

# quota 1: REG-00002 wins on the final score although REG-00001 has the better SKD.
SCORES = {
    1: (100, 100, 180, "80"),  # SKD 380, final 75.636
    2: (90, 95, 170, "90.5"),  # SKD 355, final 80.118
    3: (60, 120, 200, None),  # TWK below 65: FAILED_GRADE
}


def test_models_and_migrations_agree(recruitment):
    assert pending_changes(recruitment.engine, SPEC.metadata) == []


def test_the_whole_flow_from_formation_to_appointment(selection, recruitment):
    run_the_whole_flow(selection, recruitment)


@pytest.mark.postgres
def test_the_whole_flow_on_postgres(make_service, postgres_url, keys):
    service = make_service("recruitment", postgres_url)
    assert pending_changes(service.engine, SPEC.metadata) == []
    run_the_whole_flow(Selection(service, keys), service)
    # The public list and the refusals behave the same on PostgreSQL.
    selection = Selection(service, keys)
    assert selection.register(1, 1).status_code == 409
    assert selection.appeal("REG-00002", "wrong").status_code == 404


def run_the_whole_flow(selection, recruitment):
    """Formation, registration, verification, scores, ranking, announcement, an accepted
    appeal that changes the ranking, and the appointment (twice: nobody twice)."""
    formation = selection.formation(quota=1)
    fid = formation["id"]
    selection.prepared(fid, SCORES)
    assert selection.register(fid, 4).status_code == 201
    assert selection.verify("REG-00004", "TMS", "Ijazah tidak sesuai").status_code == 200

    ranked = selection.call("post", f"/selection/{YEAR}/rank", role="recruiter")
    assert ranked.status_code == 200, ranked.json
    assert ranked.json == {
        "formations": 1,
        "outcomes": {"FAILED_GRADE": 1, "NOT_SELECTED": 1, "SELECTED": 1, "TMS": 1},
    }
    ranking = selection.ranking(fid)
    assert ranking["REG-00002"]["rank"] == 1
    assert ranking["REG-00002"]["final_score"] == "80.118"
    assert ranking["REG-00001"]["final_score"] == "75.636"
    assert ranking["REG-00001"]["outcome"] == "NOT_SELECTED"
    assert ranking["REG-00003"]["outcome"] == "FAILED_GRADE"

    assert selection.announce(fid).status_code == 200
    public = recruitment.client.get(f"/formations/{fid}/announcement")
    assert public.status_code == 200
    assert [r["registration_number"] for r in public.json["items"]][:2] == [
        "REG-00002",
        "REG-00001",
    ]

    # An accepted appeal corrects REG-00001's SKB: it overtakes REG-00002.
    assert selection.appeal("REG-00001").status_code == 201
    decided = selection.call(
        "post",
        "/appeals/REG-00001/decision",
        json={
            "status": "ACCEPTED",
            "decision": "Nilai SKB salah input",
            "corrections": {"skb": "95"},
        },
    )
    assert decided.status_code == 200, decided.json
    assert decided.json["status"] == "ACCEPTED" and decided.json["overdue"] is False
    ranking = selection.ranking(fid)
    assert ranking["REG-00001"]["outcome"] == "SELECTED"
    assert ranking["REG-00002"]["outcome"] == "NOT_SELECTED"

    selection.age_announcements(days=5)
    appointed = selection.call(
        "post", f"/selection/{YEAR}/appoint", json={"tmt_cpns": "2025-03-01"}
    )
    assert appointed.status_code == 200, appointed.json
    [one] = appointed.json["appointed"]
    birth = applicant(1)["birth_date"].replace("-", "")
    assert one["nip"] == f"{birth}202503" + "2" + "001"  # applicant 1 is a woman
    [event] = [e for e in recruitment.outbox_events() if e["type"].endswith("appointed")]
    validate_event(event)
    assert event["data"]["nip"] == one["nip"]
    assert event["data"]["source"] == "selection"
    assert event["data"]["status"] == "CPNS"
    assert applicant(1)["nik"] not in str(event)

    again = selection.call("post", f"/selection/{YEAR}/appoint", json={"tmt_cpns": "2025-03-01"})
    assert again.status_code == 200
    assert again.json["appointed"] == []
    assert recruitment.count("employees") == 1
