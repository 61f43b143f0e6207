"""Who may publish what: the consumer's check of the broker-validated sender and the clock."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from chassis.accounts import MAX_CLOCK_SKEW, SenderCheck, definitions, permissions

NOW = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
APPOINTED = "recruitment.employee.appointed"


def test_a_consumer_on_its_own_user_expects_each_owner_with_the_same_prefix():
    check = SenderCheck.of("sofifi-appraisal", "appraisal")
    assert check.per_service
    assert check.problem(APPOINTED, "sofifi-recruitment", NOW, NOW) is None
    assert "sofifi-recruitment" in check.problem(APPOINTED, "sofifi-training", NOW, NOW)
    assert check.problem(APPOINTED, None, NOW, NOW)  # no user_id: refused


@pytest.mark.parametrize("user", ["guest", None, "sofifi"])
def test_on_a_shared_account_only_the_clock_is_checked(user):
    check = SenderCheck.of(user, "appraisal")
    assert not check.per_service
    assert check.problem(APPOINTED, "anyone", NOW, NOW) is None


@pytest.mark.parametrize("user", ["appraisal", "guest"])
def test_a_time_beyond_the_clock_skew_is_refused_in_both_modes(user):
    check = SenderCheck.of(user, "appraisal")
    sender = "recruitment" if check.per_service else "guest"
    assert check.problem(APPOINTED, sender, NOW + MAX_CLOCK_SKEW, NOW) is None
    later = NOW + MAX_CLOCK_SKEW + timedelta(seconds=1)
    assert "future" in check.problem(APPOINTED, sender, later, NOW)


def test_a_service_user_may_publish_only_its_own_routing_keys_and_touch_its_own_queues():
    granted = permissions("training", "asn.events")
    assert re.search(granted.topic_write, "training.need.identified")
    assert not re.search(granted.topic_write, "recruitment.employee.updated")
    for pattern in (granted.configure, granted.read):
        assert re.fullmatch(pattern, "training.events")
        assert re.fullmatch(pattern, "training.events.dead-letter")
        assert not re.fullmatch(pattern, "appraisal.events")
    assert re.fullmatch(granted.write, "asn.events")
    assert not re.fullmatch(granted.write, "amq.default")  # no publishing into others' queues


def test_definitions_grant_each_service_user_its_permissions():
    document = definitions(["awards", "training"], "asn.events", prefix="p-")
    assert [entry["user"] for entry in document["permissions"]] == ["p-awards", "p-training"]
    assert document["topic_permissions"][1]["write"] == r"^training\."
