"""Odd input to every training endpoint of issue 10 gets a 4xx, never a 500, and stores nothing."""

from __future__ import annotations

import pytest

from tests.service.training_courses_support import Training

POSTS = (
    "/providers",
    "/partnerships",
    "/courses",
    "/sessions",
    "/enrolments",
    "/enrolments/requests",
    "/enrolments/ENR-X/decision",
    "/enrolments/ENR-X/cancel",
    "/enrolments/ENR-X/completion",
    "/external-learning",
    "/external-learning/EXT-X/decision",
    "/plans",
    "/plans/PLN-X/adopt",
)
BODIES = (
    None,
    [],
    "text",
    {"year": "x", "budget": 10**30, "session_id": 5, "nip": "1" * 400, "jp": -1},
    {"name": "", "kind": "SPACE", "capacity": 0, "starts_on": "9999-99-99", "approve": "maybe"},
)
GETS = (
    "/ledger/99999",
    "/ledger/2025?as_of=0001-01-01",
    "/ledger/2025?page=0",
    "/ledger/2025?page_size=100000",
    "/ledger/2025/export?format=doc",
    "/ledger/2025/not-a-nip",
    "/latsar?within_days=-1",
    "/latsar?as_of=yesterday",
    "/sessions?year=abc",
    "/courses?mode=SWIMMING",
    "/enrolments?status=LOST",
    "/external-learning?nip=123",
    "/plans?year=1",
    "/plans/PLN-X",
    "/plans/PLN-X/items?covered=perhaps",
    "/sessions/SES-X",
    "/enrolments/ENR-X",
)


@pytest.fixture
def t(make_service, keys, employee_events) -> Training:
    return Training(make_service("training"), keys, employee_events)


def test_odd_bodies_get_a_4xx_and_store_nothing(t):
    headers = [t.admin, t.supervisor(), t.employee(t.employee_events.nip(5)), {}]
    tables = (
        "providers",
        "partnerships",
        "courses",
        "sessions",
        "enrolments",
        "external_learning",
        "plans",
        "plan_items",
        "jp_ledger",
    )
    for path in POSTS:
        for body in BODIES:
            for header in headers:
                response = t.service.client.post(path, json=body, headers=header)
                assert 400 <= response.status_code < 500, (path, body, response.json)
    assert all(t.service.count(table) == 0 for table in tables)


def test_odd_queries_get_a_4xx(t):
    for path in GETS:
        response = t.service.client.get(path, headers=t.admin)
        assert 400 <= response.status_code < 500, (path, response.json)
