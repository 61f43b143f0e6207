"""End to end through the gateway, every process started for real (issue 2's acceptance)."""

from __future__ import annotations

import base64
import json
import time
import uuid

import pytest

from sofifi.registry import SERVICE_NAMES

from .conftest import Platform, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.broker, pytest.mark.slow]

CONSUMERS = ("appraisal", "training", "awards", "feedback")
ADMIN_PASSWORD = "correct horse battery staple"
EMPLOYEE = {
    "nip": "198503122010012004",
    "name": "Siti Rahmawati",
    "gender": "F",
    "birth_date": "1985-03-12",
    "tmt_cpns": "2010-01-01",
    "status": "PNS",
    "unit": "BKD",
    "position": "Analis Kepegawaian",
    "supervisor_nip": None,
}


def login(platform: Platform, username: str, password: str) -> str:
    status, body, _ = platform.call(
        "POST",
        f"{platform.gateway}/api/v1/auth/token",
        {"username": username, "password": password},
    )
    assert status == 200, body
    return body["access_token"]


@pytest.fixture(scope="module")
def admin_token(platform: Platform) -> str:
    created = platform.sofifi(
        "user", "create", "--username", "bkd-admin", "--role", "admin",
        "--password", ADMIN_PASSWORD,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    return login(platform, "bkd-admin", ADMIN_PASSWORD)


def test_health_reports_every_service_broker_and_database(platform: Platform, admin_token: str):
    status, public, _ = platform.call("GET", f"{platform.gateway}/health")
    assert (status, public) == (200, {"status": "ok"})
    headers = {"Authorization": f"Bearer {admin_token}"}
    status, body, _ = platform.call("GET", f"{platform.gateway}/health/details", None, headers)
    assert status == 200, body
    text = json.dumps(body)
    for name in SERVICE_NAMES:
        assert name in text
    assert "broker" in text and "database" in text
    assert '"error"' not in text


def test_appointed_employee_reaches_every_projection_with_its_request_id(
    platform: Platform, admin_token: str
):
    request_id = f"e2e-{uuid.uuid4().hex}"
    headers = {"Authorization": f"Bearer {admin_token}", "X-Request-ID": request_id}
    status, body, response_headers = platform.call(
        "POST", f"{platform.gateway}/api/v1/recruitment/employees", EMPLOYEE, headers
    )
    assert status == 201, body
    assert response_headers["X-Request-ID"] == request_id

    for service in CONSUMERS:
        url = f"{platform.gateway}/api/v1/{service}/employees/{EMPLOYEE['nip']}"
        found = wait_until(
            lambda url=url: (lambda r: r if r[0] == 200 else None)(
                platform.call("GET", url, headers=headers)
            ),
            timeout=30,
            message=f"employee in the {service} projection",
        )
        assert found[1]["unit"] == "BKD"

    def handled_in_every_consumer():
        lines = [
            line
            for line in platform.log_lines()
            if line.get("correlation_id") == request_id and line.get("message") == "event handled"
        ]
        return {line.get("service") for line in lines} >= set(CONSUMERS)

    wait_until(handled_in_every_consumer, timeout=15, message="request id in consumers' logs")


def test_a_transfer_is_seen_by_the_projections(platform: Platform, admin_token: str):
    headers = {"Authorization": f"Bearer {admin_token}"}
    nip = "199001012015031007"
    employee = {**EMPLOYEE, "nip": nip, "name": "Budi Santoso", "gender": "M",
                "birth_date": "1990-01-01", "tmt_cpns": "2015-03-01"}  # fmt: skip
    status, body, _ = platform.call(
        "POST", f"{platform.gateway}/api/v1/recruitment/employees", employee, headers
    )
    assert status == 201, body
    status, body, _ = platform.call(
        "PATCH",
        f"{platform.gateway}/api/v1/recruitment/employees/{nip}",
        {"unit": "DISDIK", "supervisor_nip": EMPLOYEE["nip"]},
        headers,
    )
    assert status == 200, body

    def transferred():
        status, body, _ = platform.call(
            "GET", f"{platform.gateway}/api/v1/appraisal/employees/{nip}", headers=headers
        )
        return status == 200 and body["unit"] == "DISDIK" and body["supervisor_nip"]

    wait_until(transferred, timeout=30, message="transfer seen by appraisal")


def _alg_none_token() -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {"sub": "mallory", "roles": ["admin"], "iss": "sofifi-gateway",
              "aud": "sofifi-asn", "iat": now, "exp": now + 600}  # fmt: skip
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


@pytest.mark.parametrize("kind", ["expired", "foreign-key", "alg-none", "other-audience"])
def test_bad_tokens_are_refused_by_gateway_and_by_a_service_called_directly(
    platform: Platform, foreign_keys, kind: str
):
    tokens = {
        "expired": lambda: platform.keys.token("admin", now=time.time() - 7200, ttl=60),
        "foreign-key": lambda: foreign_keys.token("admin"),
        "alg-none": _alg_none_token,
        "other-audience": lambda: platform.keys.token("admin", audience="another-system"),
    }
    headers = {"Authorization": f"Bearer {tokens[kind]()}"}
    nip = EMPLOYEE["nip"]
    via_gateway = f"{platform.gateway}/api/v1/appraisal/employees/{nip}"
    direct = f"{platform.service_urls['appraisal']}/employees/{nip}"
    for url in (via_gateway, direct):
        status, body, _ = platform.call("GET", url, headers=headers)
        assert status == 401, (url, body)
        assert body["code"] == 401 and body["message"]


def test_a_role_that_is_not_allowed_gets_403_at_the_gateway_and_the_service(platform: Platform):
    headers = platform.keys.headers("employee", nip=EMPLOYEE["nip"])
    nip = EMPLOYEE["nip"]
    for url in (
        f"{platform.gateway}/api/v1/training/employees/{nip}",
        f"{platform.service_urls['training']}/employees/{nip}",
    ):
        status, body, _ = platform.call("GET", url, headers=headers)
        assert status == 403, (url, body)


def test_bad_input_gets_a_clear_422_and_stores_nothing(platform: Platform, admin_token: str):
    headers = {"Authorization": f"Bearer {admin_token}"}
    bad = {**EMPLOYEE, "nip": "198513122010012004"}  # month 13 in the birth date
    status, body, _ = platform.call(
        "POST", f"{platform.gateway}/api/v1/recruitment/employees", bad, headers
    )
    assert status == 422, body
    assert "nip" in json.dumps(body["errors"])
    status, _, _ = platform.call(
        "GET", f"{platform.gateway}/api/v1/recruitment/employees/{bad['nip']}", headers=headers
    )
    assert status in (404, 422)
