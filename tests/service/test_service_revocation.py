"""A token signed out or deactivated at the gateway is refused by a service reached directly.

The real gateway is served over HTTP; the real appraisal service reads its signed list of
revoked tokens (`GET /revocations`) and is called around the gateway, as a client inside the
network could.
"""

from __future__ import annotations

import time
from pathlib import Path

import jwt
import pytest
import urllib3

from chassis.auth import generate_keypair
from chassis.db import Database
from chassis.uow import UnitOfWork
from gateway.app import create_app as create_gateway
from gateway.users import create_user
from sofifi.registry import SERVICE_NAMES
from tests.service.gateway_support import NIP, closed_port_url, serve
from tests.service.test_gateway_users import PASSWORD, gateway_config  # noqa: F401 - fixture

REFRESH = "0.2"


def gateway_app(config: dict[str, str], usernames: tuple[str, ...]):
    """The real gateway (routing nowhere) with these admins."""
    app = create_gateway(config, service_urls={name: closed_port_url() for name in SERVICE_NAMES})
    with app.app_context():
        session = Database.state(app).session_factory()
        for username in usernames:
            create_user(UnitOfWork(session), username, PASSWORD, ("admin",))
        session.commit()
        session.close()
    return app


@pytest.fixture
def gateway(gateway_config):  # noqa: F811
    """The real gateway over HTTP, with two admins (ani, budi); yields its URL."""
    with serve(gateway_app(gateway_config, ("ani", "budi"))) as url:
        yield url


def service_beside(service_config, tmp_path: Path, gateway_url: str):
    """The real appraisal service (one employee) checking the revoked tokens of `gateway_url`."""
    from chassis.migrations import upgrade
    from services.appraisal.app import SPEC
    from services.appraisal.app import create_app as create_appraisal

    database = f"sqlite:///{tmp_path}/appraisal-direct.db"
    upgrade(SPEC.migrations_dir, database)
    config = {
        **service_config,
        "DATABASE_URL": database,
        "GATEWAY_URL": gateway_url,
        "REVOCATION_REFRESH_SECONDS": REFRESH,
    }
    return create_appraisal(config).test_client()


def login(gateway_url: str, username: str) -> dict[str, str]:
    answer = urllib3.request(
        "POST",
        f"{gateway_url}/api/v1/auth/token",
        json={"username": username, "password": PASSWORD},
        retries=False,
    )
    assert answer.status == 200, answer.data
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def status_soon(service, headers: dict[str, str], wanted: int, within: float = 5.0) -> int:
    """The service's status for a direct call, retried until it is `wanted` or time is up."""
    deadline = time.monotonic() + within
    while True:
        status = service.get(f"/employees/{NIP}", headers=headers).status_code
        if status == wanted or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def test_signed_out_and_deactivated_tokens_are_refused_by_the_service(
    gateway, service_config, tmp_path
):
    service = service_beside(service_config, tmp_path, gateway)
    signed_out, other_session = login(gateway, "ani"), login(gateway, "ani")
    deactivated = login(gateway, "budi")
    for headers in (signed_out, other_session, deactivated):
        assert service.get(f"/employees/{NIP}", headers=headers).status_code == 404  # no employee

    logout = urllib3.request(
        "POST", f"{gateway}/api/v1/auth/logout", headers=signed_out, retries=False
    )
    assert logout.status == 204
    assert status_soon(service, signed_out, 401) == 401
    refused = service.get(f"/employees/{NIP}", headers=signed_out)
    assert "revoked" in refused.get_json()["message"]
    assert service.get(f"/employees/{NIP}", headers=other_session).status_code == 404

    update = urllib3.request(
        "PATCH",
        f"{gateway}/api/v1/users/budi",
        json={"active": False},
        headers=other_session,
        retries=False,
    )
    assert update.status == 200, update.data
    assert status_soon(service, deactivated, 401) == 401
    assert service.get(f"/employees/{NIP}", headers=other_session).status_code == 404


def test_the_last_list_stays_in_force_while_the_gateway_is_down(
    gateway_config,  # noqa: F811
    service_config,
    tmp_path,
):
    with_gateway = {}
    with serve(gateway_app(gateway_config, ("ani",))) as url:
        service = service_beside(service_config, tmp_path, url)
        signed_out, kept = login(url, "ani"), login(url, "ani")
        urllib3.request("POST", f"{url}/api/v1/auth/logout", headers=signed_out, retries=False)
        with_gateway["refused"] = status_soon(service, signed_out, 401)
    time.sleep(float(REFRESH) * 2)  # the gateway is gone: the next reads fail

    assert with_gateway["refused"] == 401
    assert service.get(f"/employees/{NIP}", headers=signed_out).status_code == 401
    assert service.get(f"/employees/{NIP}", headers=kept).status_code == 404


def test_a_list_not_signed_by_the_gateway_is_ignored(service_config, tmp_path, keys):
    other_private = tmp_path / "other-private.pem"
    generate_keypair(other_private, tmp_path / "other-public.pem")
    headers = keys.headers("admin")
    jti = jwt.decode(headers["Authorization"].split()[1], options={"verify_signature": False})[
        "jti"
    ]
    forged = jwt.encode(
        {
            "iss": "sofifi-gateway",
            "aud": "sofifi-revocations",
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
            "revoked": [jti],
        },
        other_private.read_bytes(),
        algorithm="RS256",
    )

    def impostor(_environ, start_response):
        start_response("200 OK", [("Content-Type", "application/jwt")])
        return [forged.encode()]

    with serve(impostor) as url:
        service = service_beside(service_config, tmp_path, url)
        first = service.get(f"/employees/{NIP}", headers=headers).status_code
        time.sleep(float(REFRESH) * 2)
        second = service.get(f"/employees/{NIP}", headers=headers).status_code

    assert first == second == 404  # accepted: the token passed, the employee is unknown
