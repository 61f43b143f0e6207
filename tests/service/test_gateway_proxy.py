"""The gateway in front of REAL backends served over HTTP: routing, tokens, failures, health, docs.

Backends are the real appraisal app (migrated SQLite database, the test keys) and small real WSGI
apps that sleep, each served by werkzeug in a thread on a free port; "down" backends are free
ports nothing listens on.
"""

from __future__ import annotations

import time

import jwt
import pytest
import urllib3

from chassis.auth import LEEWAY_SECONDS, TokenVerifier
from chassis.errors import Unauthorized
from gateway.state import VerifiedTokens
from sofifi.registry import SERVICE_NAMES
from tests.service.gateway_support import (
    NIP,
    serve,
    sleeping_app,
)


def test_a_call_with_a_token_reaches_the_service_with_the_request_id(appraisal, make_gateway, keys):
    base_url, recorder = appraisal
    gateway = make_gateway({"appraisal": base_url})
    headers = {**keys.headers("admin"), "X-Request-ID": "trace-gateway-0001", "Accept": "*/*"}

    response = gateway.get(f"/api/v1/appraisal/employees/{NIP}?fields=all", headers=headers)

    assert response.status_code == 200, response.json
    assert response.json["name"] == "Siti Rahma"
    assert response.headers["X-Request-ID"] == "trace-gateway-0001"
    [call] = recorder.service_calls()
    assert (call["method"], call["path"], call["query"]) == (
        "GET",
        f"/employees/{NIP}",
        "fields=all",
    )
    assert call["headers"]["X-Request-Id"] == "trace-gateway-0001"
    assert call["headers"]["Authorization"] == headers["Authorization"]
    assert call["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert call["headers"]["X-Forwarded-Proto"] == "http"


def test_without_an_offered_id_the_gateways_own_request_id_travels_on(
    appraisal, make_gateway, keys
):
    base_url, recorder = appraisal
    gateway = make_gateway({"appraisal": base_url})

    response = gateway.get(f"/api/v1/appraisal/employees/{NIP}", headers=keys.headers("admin"))

    assert response.status_code == 200
    [call] = recorder.service_calls()
    assert call["headers"]["X-Request-Id"] == response.headers["X-Request-ID"]
    assert len(response.headers["X-Request-ID"]) >= 8


def test_method_body_and_content_type_are_forwarded_and_the_answer_relayed(
    appraisal, make_gateway, keys
):
    base_url, recorder = appraisal
    gateway = make_gateway({"appraisal": base_url})

    response = gateway.post(
        f"/api/v1/appraisal/employees/{NIP}", json={"name": "x"}, headers=keys.headers("admin")
    )

    # The appraisal service has no POST here: its own 405 (with Allow) comes back unchanged.
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.json["code"] == 405
    [call] = recorder.service_calls()
    assert call["method"] == "POST"
    assert call["body"] == b'{"name": "x"}'
    assert call["headers"]["Content-Type"] == "application/json"


def test_a_role_that_is_not_allowed_gets_403_through_the_gateway(appraisal, make_gateway, keys):
    base_url, recorder = appraisal
    gateway = make_gateway({"appraisal": base_url})

    response = gateway.get(
        f"/api/v1/appraisal/employees/{NIP}", headers=keys.headers("employee", nip=NIP)
    )

    assert response.status_code == 403
    assert "admin" in response.json["message"]
    assert len(recorder.service_calls()) == 1  # the service decided


def alg_none_token() -> str:
    now = int(time.time())
    claims = {
        "sub": "intruder",
        "roles": ["admin"],
        "iss": "sofifi-gateway",
        "aud": "sofifi-asn",
        "iat": now,
        "exp": now + 600,
    }
    return jwt.encode(claims, None, algorithm="none")


BAD_TOKENS = {
    "expired": lambda keys, foreign: keys.token("admin", ttl=60, now=time.time() - 3600),
    "other key": lambda keys, foreign: foreign.token("admin"),
    "alg none": lambda keys, foreign: alg_none_token(),
    "other audience": lambda keys, foreign: keys.token("admin", audience="another-system"),
    "other issuer": lambda keys, foreign: keys.token("admin", issuer="someone-else"),
    "not a jwt": lambda keys, foreign: "not-a-token",
}


@pytest.mark.parametrize("kind", list(BAD_TOKENS))
def test_bad_tokens_are_refused_by_the_gateway_and_by_the_service(
    appraisal, make_gateway, keys, foreign_keys, kind
):
    base_url, recorder = appraisal
    gateway = make_gateway({"appraisal": base_url})
    headers = {"Authorization": f"Bearer {BAD_TOKENS[kind](keys, foreign_keys)}"}

    through_gateway = gateway.get(f"/api/v1/appraisal/employees/{NIP}", headers=headers)
    assert through_gateway.status_code == 401
    assert through_gateway.json["code"] == 401
    assert recorder.service_calls() == []  # refused before any backend call

    direct = urllib3.request("GET", f"{base_url}/employees/{NIP}", headers=headers)
    assert direct.status == 401
    assert direct.json()["code"] == 401


def test_a_remembered_token_is_refused_once_it_expires(keys):
    tokens = VerifiedTokens(TokenVerifier(keys.public.read_bytes(), "sofifi-gateway", "sofifi-asn"))
    token = keys.token("admin", ttl=60)

    assert tokens.verify(token).roles == ("admin",)
    assert tokens.verify(token).roles == ("admin",)  # remembered
    with pytest.raises(Unauthorized, match="expired"):
        tokens.verify(token, now=time.time() + 60 + LEEWAY_SECONDS + 1)


def test_a_refused_token_is_refused_every_time(keys, foreign_keys):
    tokens = VerifiedTokens(TokenVerifier(keys.public.read_bytes(), "sofifi-gateway", "sofifi-asn"))
    token = foreign_keys.token("admin")

    for _ in range(2):
        with pytest.raises(Unauthorized):
            tokens.verify(token)


def test_a_non_bearer_authorization_header_is_refused(appraisal, make_gateway):
    base_url, recorder = appraisal
    gateway = make_gateway({"appraisal": base_url})

    response = gateway.get(
        f"/api/v1/appraisal/employees/{NIP}", headers={"Authorization": "Basic YWRtaW46YWRtaW4="}
    )

    assert response.status_code == 401
    assert recorder.service_calls() == []


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/payroll/employees",
        "/api/v1/appraisal/metrics",
        "/api/v1/appraisal/ready",
        "/api/v1/appraisal/health",
        "/api/v1/appraisal//metrics",
        "/api/v1/appraisal/employees/%2e%2e/metrics",
    ],
)
def test_unknown_services_and_internal_paths_are_404(appraisal, make_gateway, keys, path):
    base_url, recorder = appraisal
    gateway = make_gateway({"appraisal": base_url})

    # Doubled slashes are first redirected to the merged path, which is then refused.
    response = gateway.get(path, headers=keys.headers("admin"), follow_redirects=True)

    assert response.status_code == 404
    assert response.json["code"] == 404
    assert recorder.service_calls() == []


def test_calls_without_a_token_are_forwarded_but_limited_per_client(appraisal, make_gateway, keys):
    base_url, recorder = appraisal
    gateway = make_gateway({"appraisal": base_url}, RATELIMIT_PUBLIC="2 per minute")

    public = [gateway.get("/api/v1/appraisal/openapi.json") for _ in range(3)]
    with_token = gateway.get(f"/api/v1/appraisal/employees/{NIP}", headers=keys.headers("admin"))
    other_client = gateway.get(
        "/api/v1/appraisal/openapi.json", environ_base={"REMOTE_ADDR": "10.9.8.7"}
    )

    assert [r.status_code for r in public] == [200, 200, 429]
    assert public[0].json["paths"]  # the service's own public document came through
    assert public[2].json["code"] == 429
    assert "without a token" in public[2].json["message"]
    assert with_token.status_code == 200
    assert other_client.status_code == 200
    assert len(recorder.service_calls()) == 4  # the refused call never reached the service


def test_a_body_over_the_limit_is_refused_before_the_backend(appraisal, make_gateway, keys):
    base_url, recorder = appraisal
    gateway = make_gateway({"appraisal": base_url})

    response = gateway.post(
        f"/api/v1/appraisal/employees/{NIP}",
        data=b"x" * (10 * 1024 * 1024 + 1),
        headers={**keys.headers("admin"), "Content-Type": "application/octet-stream"},
    )

    assert response.status_code == 413
    assert response.json["code"] == 413
    assert recorder.service_calls() == []


def test_a_head_request_is_relayed_without_a_body(appraisal, make_gateway, keys):
    base_url, recorder = appraisal
    gateway = make_gateway({"appraisal": base_url})

    response = gateway.head(f"/api/v1/appraisal/employees/{NIP}", headers=keys.headers("admin"))

    assert response.status_code == 200
    assert response.data == b""
    assert [call["method"] for call in recorder.service_calls()] == ["HEAD"]


def test_a_backend_that_is_down_is_a_502(make_gateway, keys):
    gateway = make_gateway({})

    response = gateway.get(f"/api/v1/appraisal/employees/{NIP}", headers=keys.headers("admin"))

    assert response.status_code == 502
    assert response.json["status"] == "Bad Gateway"
    assert "appraisal" in response.json["message"]
    assert response.json["request_id"] == response.headers["X-Request-ID"]


def test_a_backend_slower_than_the_timeout_is_a_504(make_gateway, keys):
    with serve(sleeping_app(3)) as slow_url:
        gateway = make_gateway({"training": slow_url}, GATEWAY_TIMEOUT="0.4")
        started = time.perf_counter()
        response = gateway.get("/api/v1/training/courses", headers=keys.headers("admin"))
        elapsed = time.perf_counter() - started

    assert response.status_code == 504
    assert response.json["status"] == "Gateway Timeout"
    assert "training" in response.json["message"]
    assert elapsed < 2


def test_health_details_list_every_backend_with_partial_results(appraisal, make_gateway, keys):
    base_url, _ = appraisal
    with serve(sleeping_app(3)) as slow_url:
        gateway = make_gateway(
            {"appraisal": base_url, "awards": slow_url}, GATEWAY_PART_TIMEOUT="0.5"
        )
        started = time.perf_counter()
        response = gateway.get("/health/details", headers=keys.headers("admin"))
        elapsed = time.perf_counter() - started

    assert response.status_code == 503
    body = response.json
    assert body["status"] == "error"
    assert set(body["backends"]) == set(SERVICE_NAMES)
    healthy = body["backends"]["appraisal"]
    assert healthy["status"] == "ok"
    assert set(healthy["checks"]) == {"database", "broker", "outbox"}
    assert all(check["status"] == "ok" for check in healthy["checks"].values())
    assert body["backends"]["awards"]["status"] == "timeout"
    for name in ("recruitment", "training", "feedback"):
        assert body["backends"][name]["status"] == "down"
        assert "refused" in body["backends"][name]["error"].lower()
    assert body["checks"]["database"]["status"] == "ok"
    # The parts ran in parallel: the slow one cost its timeout, not the sum of all calls.
    assert elapsed < 1.5


def test_health_is_200_when_every_backend_is_ready(appraisal, make_gateway, keys):
    base_url, recorder = appraisal
    gateway = make_gateway(dict.fromkeys(SERVICE_NAMES, base_url))

    response = gateway.get("/health/details", headers=keys.headers("admin"))

    assert response.status_code == 200, response.json
    assert response.json["status"] == "ok"
    assert {entry["status"] for entry in response.json["backends"].values()} == {"ok"}
    assert [call["path"] for call in recorder.calls] == ["/ready"] * len(SERVICE_NAMES)


def test_public_health_says_up_or_down_only_and_reuses_its_verdict(appraisal, make_gateway):
    base_url, recorder = appraisal
    gateway = make_gateway({"appraisal": base_url}, RATELIMIT_PUBLIC="3 per minute")

    answers = [gateway.get("/health") for _ in range(4)]

    assert [a.status_code for a in answers] == [503, 503, 503, 429]
    assert answers[0].json == {"status": "error"}  # no backend, check or exception text
    # One fan-out for the three answered calls: the verdict is reused for a moment.
    assert [call["path"] for call in recorder.calls] == ["/ready"]


@pytest.mark.parametrize("path", ["/health/details", "/metrics"])
def test_details_and_metrics_need_an_admin_token(appraisal, make_gateway, keys, path):
    gateway = make_gateway({"appraisal": appraisal[0]})
    assert gateway.get(path).status_code == 401
    assert gateway.get(path, headers=keys.headers("officer")).status_code == 403
    assert gateway.get(path, headers=keys.headers("admin")).status_code in (200, 503)


def test_ready_and_live_say_nothing_of_internals_to_the_public(make_gateway, keys):
    gateway = make_gateway({})
    ready = gateway.get("/ready")
    assert ready.status_code == 200 and ready.json == {"status": "ok"}
    detailed = gateway.get("/ready", headers=keys.headers("admin")).json
    assert detailed["checks"]["database"]["status"] == "ok"
    assert gateway.get("/live").json == {"status": "ok"}


def test_the_combined_openapi_document_prefixes_paths_and_components(appraisal, make_gateway):
    base_url, _ = appraisal
    gateway = make_gateway({"appraisal": base_url})

    response = gateway.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json
    assert "/api/v1/appraisal/employees/{nip}" in document["paths"]
    assert "/api/v1/auth/token" in document["paths"]
    assert "appraisal.Employee" in document["components"]["schemas"]
    assert "bearerAuth" in document["components"]["securitySchemes"]
    unavailable = {part["service"]: part["status"] for part in document["x-unavailable"]}
    assert unavailable == dict.fromkeys(set(SERVICE_NAMES) - {"appraisal"}, "down")
    for ref in collect_refs(document):
        _, _, kind, name = ref.split("/", 3)
        assert name in document["components"][kind], ref
    operation = document["paths"]["/api/v1/appraisal/employees/{nip}"]["get"]
    assert operation["tags"] == ["appraisal/employees"]


def test_the_docs_page_loads_the_combined_document(make_gateway):
    gateway = make_gateway({})

    response = gateway.get("/api/v1/docs")

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert b"/api/v1/openapi.json" in response.data


def collect_refs(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in collect_refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in collect_refs(value)]
    return []


def test_swagger_ui_is_served_from_the_project_not_a_cdn(make_gateway):
    gateway = make_gateway({})
    page = gateway.get("/api/v1/docs").get_data(as_text=True)
    assert "/swagger-ui/swagger-ui-bundle.js" in page
    assert "https://" not in page
    script = gateway.get("/swagger-ui/swagger-ui-bundle.js")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.data
    own_docs = gateway.get("/docs").get_data(as_text=True)  # flask-smorest's page of the app
    assert "/swagger-ui/swagger-ui-bundle.js" in own_docs and "https://cdn" not in own_docs
