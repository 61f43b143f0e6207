"""After the appeals: optimisation of empty posts, withdrawal, and appointment with new NIPs."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import update

from contracts import validate_event
from contracts.identifiers import make_nip, nip_problem
from services.recruitment.selection.models import SelectionResult
from tests.service.selection_support import YEAR, applicant, nik

TMT = {"tmt_cpns": "2025-03-01"}


@pytest.fixture
def two(selection):
    """DINKES (quota 1): 1 selected, 2 next; RSUD (quota 2, same post): only 3 qualifies."""
    first = selection.formation(quota=1)["id"]
    second = selection.formation("2024-RSUD-0001", unit="RSUD", quota=2)["id"]
    selection.prepared(first, {1: (100, 100, 180, "80"), 2: (90, 95, 170, "70")})
    selection.prepared(second, {3: (100, 100, 180, "60"), 4: (50, 100, 180, "90")})
    for fid in (first, second):
        assert selection.announce(fid).status_code == 200
    return first, second


def appointed_events(recruitment):
    return [e for e in recruitment.outbox_events() if e["type"].endswith(".appointed")]


def test_nothing_moves_while_appeals_can_be_filed_or_wait(selection, recruitment, two):
    before = selection.state()
    assert selection.call("post", f"/selection/{YEAR}/optimise").status_code == 409
    assert selection.call("post", f"/selection/{YEAR}/appoint", json=TMT).status_code == 409
    assert selection.state() == before

    selection.appeal("REG-00002")
    selection.age_announcements(days=5)
    before = selection.state()
    response = selection.call("post", f"/selection/{YEAR}/optimise")
    assert response.status_code == 409 and "wait for a decision" in response.json["message"]
    assert selection.state() == before


def test_an_empty_post_is_optimised_and_everyone_appointed_once(selection, recruitment, two):
    first, _second = two
    selection.age_announcements(days=5)

    optimised = selection.call("post", f"/selection/{YEAR}/optimise")

    assert optimised.status_code == 200, optimised.json
    assert (optimised.json["empty"], optimised.json["filled"], optimised.json["changed"]) == (
        1,
        1,
        1,
    )
    moved = selection.ranking(first)["REG-00002"]
    assert (moved["outcome"], moved["optimised_into"]) == ("OPTIMISED", "2024-RSUD-0001")
    [entry] = [
        e for e in selection.audit(registration_number="REG-00002") if e["field"] == "outcome"
    ]
    assert (entry["old_value"], entry["new_value"]) == ("NOT_SELECTED", "OPTIMISED")
    public = recruitment.client.get(f"/formations/{first}/announcement").json["items"]
    assert public[1]["optimised_into"] == "2024-RSUD-0001"

    response = selection.call("post", f"/selection/{YEAR}/appoint", json=TMT)

    assert response.status_code == 200, response.json
    appointed = {a["registration_number"]: a for a in response.json["appointed"]}
    assert set(appointed) == {"REG-00001", "REG-00002", "REG-00003"}
    assert appointed["REG-00002"]["unit"] == "RSUD"
    for number, entry in appointed.items():
        person = applicant(int(number[-5:]))
        birth = date.fromisoformat(person["birth_date"])
        assert entry["nip"] == make_nip(birth, 2025, 3, person["gender"], 1)
    events = appointed_events(recruitment)
    assert len(events) == 3
    for event in events:
        validate_event(event)
        assert event["data"]["source"] == "selection" and event["data"]["status"] == "CPNS"
        assert event["data"]["tmt_cpns"] == "2025-03-01"
    body = str(events) + response.text
    for number in (1, 2, 3):
        assert applicant(number)["nik"] not in body
    employees = {e["nip"]: e for e in recruitment.rows("employees")}
    assert employees[appointed["REG-00002"]["nip"]]["position"] == "Perawat Ahli Pertama"
    assert recruitment.count("appointments") == 3

    again = selection.call("post", f"/selection/{YEAR}/appoint", json=TMT)
    assert again.status_code == 200 and again.json["appointed"] == []
    assert len(appointed_events(recruitment)) == 3


def test_the_nip_takes_the_next_free_sequence_on_the_roster(selection, recruitment):
    fid = selection.formation(quota=2)["id"]
    birth = date(1996, 5, 17)
    twins = {
        number: {"birth_date": birth.isoformat(), "gender": "M", "nik": nik(birth, "M", number)}
        for number in (1, 2)
    }
    for number, overrides in twins.items():
        assert selection.register(fid, number, **overrides).status_code == 201
        assert selection.verify(f"REG-{number:05d}").status_code == 200
    selection.upload("skd", "registration_number,twk,tiu,tkp\nREG-00001,100,100,180\n"
                     "REG-00002,100,100,175\n")  # fmt: skip
    selection.upload("skb", "registration_number,skb\nREG-00001,80\nREG-00002,80\n")
    taken = make_nip(birth, 2025, 3, "M", 1)
    employee = {
        "nip": taken, "name": "Pegawai Lama", "gender": "M", "birth_date": birth.isoformat(),
        "tmt_cpns": "2025-03-01", "status": "CPNS", "unit": "BKD", "position": "Analis",
    }  # fmt: skip
    assert selection.call("post", "/employees", json=employee).status_code == 201
    selection.announce(fid)
    selection.age_announcements(days=5)

    response = selection.call("post", f"/selection/{YEAR}/appoint", json=TMT)

    assert response.status_code == 200, response.json
    nips = sorted(a["nip"] for a in response.json["appointed"])
    assert nips == [make_nip(birth, 2025, 3, "M", 2), make_nip(birth, 2025, 3, "M", 3)]
    assert all(nip_problem(nip) is None for nip in nips)


def test_appointing_beyond_the_quota_is_refused_whole(selection, recruitment, two):
    first, _second = two
    selection.age_announcements(days=5)
    # A result changed behind the workflow's back: two SELECTED in a formation of quota 1.
    with recruitment.engine.begin() as connection:
        connection.execute(
            update(SelectionResult)
            .where(SelectionResult.formation_id == first)
            .values(outcome="SELECTED")
        )
    before = selection.state()

    response = selection.call("post", f"/selection/{YEAR}/appoint", json=TMT)

    assert response.status_code == 409
    assert "2024-DINKES-0001" in response.json["message"]
    assert selection.state() == before


def test_a_withdrawal_opens_the_post_to_the_next_in_line(selection, recruitment, two):
    first, _second = two
    selection.age_announcements(days=5)
    assert (
        selection.call("post", "/applications/REG-00002/withdraw", json={"reason": "x"}).status_code
        == 409
    )  # not selected

    response = selection.call(
        "post", "/applications/REG-00001/withdraw", json={"reason": "Mengundurkan diri"}
    )

    assert response.status_code == 200, response.json
    assert response.json["withdrawn"] is True
    ranking = selection.ranking(first)
    assert ranking["REG-00001"]["outcome"] == "WITHDRAWN"
    assert ranking["REG-00002"]["outcome"] == "SELECTED"
    [entry] = [
        e for e in selection.audit(registration_number="REG-00001") if e["field"] == "withdrawn"
    ]
    assert (entry["new_value"], entry["reason"]) == ("true", "Mengundurkan diri")
    appointed = selection.call("post", f"/selection/{YEAR}/appoint", json=TMT).json["appointed"]
    assert {a["registration_number"] for a in appointed} == {"REG-00002", "REG-00003"}
    again = selection.call("post", "/applications/REG-00001/withdraw", json={"reason": "x"})
    assert again.status_code == 409


@pytest.mark.parametrize("body", [{}, {"tmt_cpns": "2025-13-01"}, {"tmt_cpns": "1990-03-01"}])
def test_a_bad_tmt_is_refused(selection, recruitment, two, body):
    selection.age_announcements(days=5)
    before = selection.state()
    response = selection.call("post", f"/selection/{YEAR}/appoint", json=body)
    assert response.status_code == 422
    assert selection.state() == before


def test_only_admins_optimise_and_appoint(selection, two):
    for url, body in ((f"/selection/{YEAR}/optimise", None), (f"/selection/{YEAR}/appoint", TMT)):
        assert selection.call("post", url, role="recruiter", json=body).status_code == 403


def outcome(selection, formation_id: int, number: str) -> tuple[str, str | None]:
    entry = selection.ranking(formation_id)[number]
    return entry["outcome"], entry["optimised_into"]


def test_an_appointed_optimised_applicant_keeps_the_post_when_their_formation_is_reranked(
    selection, recruitment
):
    """REG-00002, optimised from DINKES into RSUD and appointed there, stays OPTIMISED into
    RSUD when DINKES is re-ranked (a withdrawal), and RSUD's post is not offered again."""
    dinkes = selection.formation(quota=1)["id"]
    rsud = selection.formation("2024-RSUD-0001", unit="RSUD", quota=2)["id"]
    # DINKES: 1 selected, then 2, 5; 6 is fourth, outside the shortlist of 3 x quota.
    selection.prepared(
        dinkes,
        {1: (100, 100, 180, "80"), 2: (90, 95, 170, "70"), 5: (90, 90, 170, "65"),
         6: (85, 90, 170, "60")},
    )  # fmt: skip
    selection.prepared(rsud, {3: (100, 100, 180, "60"), 4: (50, 100, 180, "90")})
    for fid in (dinkes, rsud):
        assert selection.announce(fid).status_code == 200
    selection.age_announcements(days=5)
    assert selection.call("post", f"/selection/{YEAR}/optimise").json["filled"] == 1
    assert outcome(selection, dinkes, "REG-00002") == ("OPTIMISED", "2024-RSUD-0001")
    first = selection.call("post", f"/selection/{YEAR}/appoint", json=TMT)
    assert {a["registration_number"] for a in first.json["appointed"]} == {
        "REG-00001", "REG-00002", "REG-00003",
    }  # fmt: skip
    # A post added later (no applicants): its code sorts before RSUD's.
    pkm = selection.formation("2024-PKM-0001", unit="PKM", quota=1)["id"]

    optimised = selection.call("post", f"/selection/{YEAR}/optimise")

    assert optimised.status_code == 200, optimised.json
    assert (optimised.json["empty"], optimised.json["filled"]) == (1, 1)
    assert outcome(selection, dinkes, "REG-00002") == ("OPTIMISED", "2024-RSUD-0001")
    assert outcome(selection, dinkes, "REG-00005") == ("OPTIMISED", "2024-PKM-0001")

    # REG-00005 declines: DINKES is re-ranked; the appointed keep their outcomes.
    withdrawn = selection.call("post", "/applications/REG-00005/withdraw", json={"reason": "x"})
    assert withdrawn.status_code == 200, withdrawn.json
    ranking = selection.ranking(dinkes)
    assert [(ranking[n]["outcome"], ranking[n]["rank"]) for n in sorted(ranking)] == [
        ("SELECTED", 1), ("OPTIMISED", 2), ("WITHDRAWN", None), ("NOT_SELECTED", 3),
    ]  # fmt: skip
    assert ranking["REG-00002"]["optimised_into"] == "2024-RSUD-0001"

    again = selection.call("post", f"/selection/{YEAR}/optimise")
    assert (again.json["empty"], again.json["filled"]) == (1, 1)  # PKM only; RSUD is full
    assert outcome(selection, dinkes, "REG-00006") == ("OPTIMISED", "2024-PKM-0001")
    last = selection.call("post", f"/selection/{YEAR}/appoint", json=TMT)
    assert last.status_code == 200, last.json
    assert [(a["registration_number"], a["unit"]) for a in last.json["appointed"]] == [
        ("REG-00006", "PKM")
    ]
    filled = Counter(row["formation_id"] for row in recruitment.rows("appointments"))
    assert filled == {dinkes: 1, rsud: 2, pkm: 1}
