"""The gateway's fast path and bulk uploads, against real WSGI backends served over HTTP.

Bulk uploads (POST .../import, .../upload, recruitment's SKD/SKB score CSVs) get
GATEWAY_UPLOAD_TIMEOUT and GATEWAY_MAX_UPLOAD_BYTES; every other call keeps GATEWAY_TIMEOUT and
the 10 MiB cap. The fast path (below Flask) must keep what the Flask hooks did: shared rate-limit
counters, hop-by-hop filtering, metrics and the access log.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time

import pytest

from tests.service.gateway_support import (
    NIP,
    Recorder,
    serve,
)

MIB = 1024 * 1024


def digesting_app(seconds: float = 0.0, extra_headers: list[tuple[str, str]] | None = None):
    """A real WSGI backend that reads the whole body, waits, and answers its size and digest."""

    def app(environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        time.sleep(seconds)
        answer = json.dumps(
            {"bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()}
        ).encode()
        start_response(
            "201 CREATED", [("Content-Type", "application/json"), *(extra_headers or [])]
        )
        return [answer]

    return app


def upload_settings() -> dict[str, str]:
    return {
        "GATEWAY_TIMEOUT": "0.3",
        "GATEWAY_UPLOAD_TIMEOUT": "5",
        "GATEWAY_MAX_UPLOAD_BYTES": str(12 * MIB),
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/recruitment/employees/import?dry_run=true",
        "/api/v1/recruitment/selection/2024/skd-scores",
        "/api/v1/recruitment/selection/2024/skb-scores",
        "/api/v1/training/courses/upload",
    ],
)
def test_a_bulk_upload_gets_the_upload_cap_and_timeout(make_gateway, keys, path):
    body = b"nip,name\n" + b"1" * (11 * MIB)  # over the 10 MiB cap of other calls
    service = path.split("/")[3]
    recorder = Recorder(digesting_app(seconds=0.8))  # slower than GATEWAY_TIMEOUT
    with serve(recorder) as url:
        gateway = make_gateway({service: url}, **upload_settings())
        response = gateway.post(
            path, data=body, headers={**keys.headers("admin"), "Content-Type": "text/csv"}
        )

    assert response.status_code == 201, response.json
    assert response.json == {"bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()}
    [call] = recorder.calls
    assert call["headers"]["Content-Type"] == "text/csv"
    assert call["query"] == ("dry_run=true" if "import" in path else "")


def test_other_calls_keep_the_gateway_timeout_and_the_10_mib_cap(make_gateway, keys):
    recorder = Recorder(digesting_app(seconds=0.8))
    with serve(recorder) as url:
        gateway = make_gateway({"recruitment": url}, **upload_settings())
        headers = {**keys.headers("admin"), "Content-Type": "text/csv"}
        slow = gateway.post("/api/v1/recruitment/employees", data=b"x", headers=headers)
        import_by_get = gateway.get("/api/v1/recruitment/employees/import", headers=headers)
        large = gateway.post(
            "/api/v1/recruitment/employees", data=b"x" * (10 * MIB + 1), headers=headers
        )

    assert slow.status_code == 504
    assert import_by_get.status_code == 504  # only a POST is an upload
    assert large.status_code == 413
    assert large.json["code"] == 413
    assert len(recorder.calls) == 2  # the oversized body never reached the service


def test_a_bulk_upload_over_its_own_cap_is_refused_before_the_backend(make_gateway, keys):
    recorder = Recorder(digesting_app())
    with serve(recorder) as url:
        gateway = make_gateway({"recruitment": url}, **upload_settings())
        response = gateway.post(
            "/api/v1/recruitment/employees/import",
            data=b"1" * (12 * MIB + 1),
            headers={**keys.headers("admin"), "Content-Type": "text/csv"},
        )

    assert response.status_code == 413
    assert response.json["code"] == 413
    assert recorder.calls == []


def test_the_fast_path_and_flask_share_one_public_budget(appraisal, make_gateway):
    base_url, recorder = appraisal
    gateway = make_gateway({"appraisal": base_url}, RATELIMIT_PUBLIC="3 per minute")

    first = gateway.get("/api/v1/appraisal/openapi.json")  # fast path
    internal = gateway.get("/api/v1/appraisal/metrics")  # Flask (refused path), counted too
    second = gateway.get("/api/v1/appraisal/openapi.json")
    third = gateway.get("/api/v1/appraisal/openapi.json")

    assert [first.status_code, internal.status_code, second.status_code] == [200, 404, 200]
    assert first.headers["X-RateLimit-Limit"] == "3"
    assert first.headers["X-RateLimit-Remaining"] == "2"
    assert second.headers["X-RateLimit-Remaining"] == "0"
    assert 0 <= int(first.headers["Retry-After"]) <= 60
    assert third.status_code == 429
    assert "without a token" in third.json["message"]
    assert "Retry-After" in third.headers
    assert len(recorder.service_calls()) == 2


def test_hop_by_hop_headers_are_dropped_and_the_rest_relayed(make_gateway, keys):
    hops = [
        ("Connection", "X-Private-Hop"),
        ("X-Private-Hop", "1"),
        ("Keep-Alive", "timeout=5"),
        ("X-Request-ID", "backend-id-0000"),
        ("X-Kept", "yes"),
    ]
    with serve(digesting_app(extra_headers=hops)) as url:
        gateway = make_gateway({"awards": url})
        response = gateway.post(
            "/api/v1/awards/programmes",
            data=b"{}",
            headers={**keys.headers("admin"), "X-Request-ID": "client-id-00001"},
        )

    assert response.status_code == 201
    assert response.headers["X-Kept"] == "yes"
    assert response.headers["X-Request-ID"] == "client-id-00001"
    for name in ("X-Private-Hop", "Keep-Alive"):
        assert name not in response.headers
    assert response.headers.get("Connection") != "X-Private-Hop"


def test_fast_path_calls_are_counted_and_logged(appraisal, make_gateway, keys, caplog):
    base_url, _ = appraisal
    gateway = make_gateway({"appraisal": base_url})

    with caplog.at_level(logging.INFO, logger="sofifi.access"):
        response = gateway.get(
            f"/api/v1/appraisal/employees/{NIP}",
            headers={**keys.headers("admin"), "X-Request-ID": "trace-metrics-01"},
        )
    metrics = gateway.get("/metrics", headers=keys.headers("admin")).get_data(as_text=True)

    assert response.status_code == 200
    # The service runs in this process too: its own access line is told apart by its path.
    [line] = [
        r
        for r in caplog.records
        if r.name == "sofifi.access" and r.msg == "request" and r.path.startswith("/api/")
    ]
    assert (line.method, line.status) == ("GET", 200)
    assert line.path == f"/api/v1/appraisal/employees/{NIP}"
    assert line.correlation_id == "trace-metrics-01"
    counted = [
        row
        for row in metrics.splitlines()
        if row.startswith("http_requests_total{") and 'endpoint="proxy.proxy"' in row
    ]
    assert counted == [
        'http_requests_total{endpoint="proxy.proxy",method="GET",service="gateway",status="200"}'
        " 1.0"
    ]


def test_a_kept_alive_connection_closed_by_the_service_is_replaced(appraisal, make_gateway, keys):
    base_url, recorder = appraisal
    gateway = make_gateway({"appraisal": base_url})
    headers = keys.headers("admin")
    path = f"/api/v1/appraisal/employees/{NIP}"

    first = gateway.get(path, headers=headers)
    for connection in list(gateway.application.extensions["gateway"].upstreams["appraisal"]._idle):
        connection.sock.shutdown(2)  # as if the service had closed it while idle
    second = gateway.get(path, headers=headers)

    assert (first.status_code, second.status_code) == (200, 200)
    assert len(recorder.service_calls()) == 2


def test_an_unexpected_error_in_the_fast_path_is_a_500_in_the_common_shape(
    make_gateway,
    keys,
    monkeypatch,
):
    gateway = make_gateway({})

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    upstream = gateway.application.extensions["gateway"].upstreams["feedback"]
    monkeypatch.setattr(upstream, "call", broken)
    response = gateway.get(
        "/api/v1/feedback/reports",
        headers={**keys.headers("admin"), "X-Request-ID": "trace-broken-001"},
    )

    assert response.status_code == 500
    assert response.json["code"] == 500
    assert response.json["request_id"] == "trace-broken-001"
    assert "a bug" not in response.get_data(as_text=True)
