"""`make run` with no broker reachable: one process on kombu's memory transport, saying so."""

from __future__ import annotations

import pytest

from .conftest import Platform, running_platform, wait_until
from .test_platform import EMPLOYEE, login

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def lone_platform(tmp_path_factory: pytest.TempPathFactory):
    with running_platform(tmp_path_factory.mktemp("lone"), None) as running:
        yield running


def test_it_says_it_runs_in_one_process_on_the_memory_transport(lone_platform: Platform):
    warnings = [line for line in lone_platform.log_lines() if line.get("level") == "WARNING"]
    assert any(
        "memory" in line["message"] and "ONE process" in line["message"] for line in warnings
    )


def test_events_still_reach_every_projection(lone_platform: Platform):
    created = lone_platform.sofifi(
        "user", "create", "--username", "admin", "--role", "admin", "--password", "a long password"
    )
    assert created.returncode == 0, created.stderr
    headers = {"Authorization": f"Bearer {login(lone_platform, 'admin', 'a long password')}"}
    gateway = lone_platform.gateway
    # More employees than a consumer's prefetch: acknowledgements must really free the window.
    nips = [f"198503122010012{n:03d}" for n in range(1, 251)]
    for nip in nips:
        status, body, _ = lone_platform.call(
            "POST", f"{gateway}/api/v1/recruitment/employees", {**EMPLOYEE, "nip": nip}, headers
        )
        assert status == 201, body
    for service in ("appraisal", "training", "awards", "feedback"):
        url = f"{gateway}/api/v1/{service}/employees/{nips[-1]}"
        wait_until(
            lambda url=url: lone_platform.call("GET", url, headers=headers)[0] == 200,
            timeout=60,
            message=f"the last employee in {service}",
        )
