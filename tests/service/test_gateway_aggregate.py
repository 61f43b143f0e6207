"""The aggregator against real local HTTP servers: parts at once, down, slow, kept connections."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from gateway.aggregate import Aggregator
from gateway.calls import get_all
from tests.service.gateway_support import closed_port_url, serve, sleeping_app


class KeepAlive(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive, counting the connections it accepts."""

    protocol_version = "HTTP/1.1"
    connections = 0

    def setup(self) -> None:
        """Count the connection."""
        KeepAlive.connections += 1
        super().setup()

    def do_GET(self) -> None:
        """A JSON answer with its length (so that the connection can be kept)."""
        body = b'{"path": "%s"}' % self.path.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        """Quiet."""


def test_parts_run_at_once_and_a_down_one_is_marked_with_the_os_reason():
    aggregator = Aggregator(part_timeout=2.0)
    with serve(sleeping_app(0.3)) as first, serve(sleeping_app(0.3)) as second:
        started = time.perf_counter()
        parts = aggregator.get_json(
            {"a": f"{first}/x", "b": f"{second}/y?q=1", "gone": f"{closed_port_url()}/z"}
        )
        elapsed = time.perf_counter() - started

    assert list(parts) == ["a", "b", "gone"]
    assert parts["a"].ok and parts["b"].ok and parts["a"].data == {"status": "ok", "checks": {}}
    assert parts["gone"].status == "down" and parts["gone"].error == "Connection refused"
    assert elapsed < 0.55  # about the slowest part, not the sum
    assert max(p.latency_ms for p in parts.values()) <= elapsed * 1000


def test_a_part_slower_than_the_timeout_is_marked_and_not_waited_for():
    aggregator = Aggregator(part_timeout=0.3)
    with serve(sleeping_app(2)) as slow, serve(sleeping_app(0)) as fast:
        started = time.perf_counter()
        parts = aggregator.get_json({"slow": slow, "fast": fast})
        elapsed = time.perf_counter() - started

    assert parts["slow"].status == "timeout" and parts["slow"].error == "no answer within 0.3 s"
    assert parts["fast"].ok
    assert elapsed < 1.0


def test_connections_are_kept_between_views():
    server = ThreadingHTTPServer(("127.0.0.1", 0), KeepAlive)
    KeepAlive.connections = 0
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        aggregator = Aggregator(part_timeout=2.0)
        for _ in range(3):
            parts = aggregator.get_json({"one": f"{base}/one"})
            assert parts["one"].data == {"path": "/one"}
        aggregator.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

    assert KeepAlive.connections == 1


def test_a_page_gets_several_services_at_once_as_replies(web_gateway):
    server = ThreadingHTTPServer(("127.0.0.1", 0), KeepAlive)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        app = web_gateway({"recruitment": f"http://127.0.0.1:{server.server_port}"})
        with app.test_request_context():
            replies = get_all(
                "a-token",
                {
                    "roster": ("recruitment", "employees", {"unit": "BKD", "q": ""}),
                    "needs": ("training", "needs", None),
                    "nowhere": ("no-such-service", "x", None),
                },
            )
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

    assert list(replies) == ["roster", "needs", "nowhere"]
    assert replies["roster"].ok and replies["roster"].data == {"path": "/employees?unit=BKD"}
    assert replies["needs"].status == 502 and replies["nowhere"].status == 502


def test_a_kept_connection_the_service_closed_is_replaced(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), KeepAlive)
    KeepAlive.connections = 0
    monkeypatch.setattr(KeepAlive, "timeout", 0.2)  # the service drops idle connections
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/one"
        aggregator = Aggregator(part_timeout=2.0)
        assert aggregator.get_json({"one": url})["one"].ok
        time.sleep(0.5)
        assert aggregator.get_json({"one": url})["one"].ok  # noticed before use
        time.sleep(0.5)
        # Not noticed (closed just as it is taken): the call fails on it and is sent again.
        monkeypatch.setattr("gateway.aggregate._stale", lambda sock: False)
        assert aggregator.get_json({"one": url})["one"].ok
        aggregator.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

    assert KeepAlive.connections == 3
