"""The demo's training, awards and feedback data agree with the services' own rules."""

from __future__ import annotations

from types import SimpleNamespace

from contracts.feedback import IKM_ELEMENTS
from services.feedback import rules as feedback_rules
from services.training import rules as training_rules
from sofifi.demo import awards, feedback, run, training
from sofifi.demo.province import Province, generate


def test_the_catalogue_covers_every_competency_a_need_can_name():
    named = {training_rules.DEVELOPMENT_COMPETENCY, *training_rules.COMPETENCY_OF_VALUE.values()}
    offered = {(competency, kind) for _title, competency, kind, *_ in training.COURSES}
    assert offered == named
    assert len({title for title, *_ in training.COURSES}) == len(training.COURSES)
    for _title, _competency, kind, mode, jp, cost, provider in training.COURSES:
        assert kind in training_rules.COMPETENCY_TYPES and 0 < jp <= 1000 and cost >= 0
        assert provider in (training.BPSDM, training.UNIVERSITY) and mode


def test_the_programme_has_two_categories_and_criteria_weighing_100():
    assert len(awards.CATEGORIES) == 2
    assert sum(weight for *_rest, weight in awards.CRITERIA) == 100


def test_committee_members_are_unit_heads_outside_setda():
    province = generate(1, 40, 2025)
    members = awards.members(province_demo(province))
    assert members and all(unit != "SETDA" for _, _, unit in members)
    assert all(province.heads[unit] == nip for _, nip, unit in members)


def test_the_reports_are_of_three_kinds_and_their_moves_are_allowed():
    reports = feedback.reports(province_demo(generate(1, 40, 2025)))
    assert {body["kind"] for body, _ in reports} == {
        "SUGGESTION",
        "COMPLAINT",
        "INFORMATION_REQUEST",
    }
    for body, steps in reports:
        assert body["kind"] in feedback_rules.KINDS and body["subject"] in feedback_rules.SUBJECTS
        status = "RECEIVED"
        for action in feedback.PATH[:steps]:
            assert feedback_rules.transition_problem(action, status) is None
            status = feedback_rules.TRANSITIONS[action][1]
    assert len(IKM_ELEMENTS) == 9


def test_every_service_has_its_steps_in_order():
    services = [step.service for step in run.STEPS]
    assert services.index("feedback") > services.index("awards") > services.index("appraisal")
    assert services.index("training") > services.index("appraisal")


def province_demo(province: Province) -> SimpleNamespace:
    """The little of a `Demo` the pure helpers read."""
    return SimpleNamespace(province=province)
