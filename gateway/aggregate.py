"""Views combined from several backends: the calls run in parallel, each with its own timeout.

A part that fails or is slow is marked as such and the others are still returned (partial
results, never a 500), so a combined view costs about as much as its slowest part, capped by
GATEWAY_PART_TIMEOUT.
"""

from __future__ import annotations

import contextvars
import json
import logging
import time
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import urllib3
from urllib3.exceptions import HTTPError, NewConnectionError, TimeoutError

log = logging.getLogger(__name__)

# Time the gathering waits beyond the part timeout for a call that urllib3 is about to time out.
GRACE_SECONDS = 0.25


@dataclass(frozen=True)
class Part:
    """One backend's share of a combined view.

    `status` is "ok" (a 2xx JSON answer), "error" (it answered, but not 2xx or not JSON),
    "down" (no connection) or "timeout" (no answer within the part timeout).
    """

    name: str
    url: str
    status: str
    http_status: int | None = None
    data: Any = None
    error: str | None = None
    latency_ms: float = 0.0

    @property
    def ok(self) -> bool:
        """True for a 2xx JSON answer."""
        return self.status == "ok"


class Aggregator:
    """Runs GET calls to several backends in parallel on the factory's executor and pool."""

    def __init__(
        self, pool: urllib3.PoolManager, executor: ThreadPoolExecutor, part_timeout: float
    ) -> None:
        self.pool = pool
        self.executor = executor
        self.part_timeout = part_timeout

    def get_json(
        self, calls: Mapping[str, str], headers: Mapping[str, str] | None = None
    ) -> dict[str, Part]:
        """GET every `name -> url` in parallel; one Part per name, in the order given."""
        started = time.perf_counter()
        futures: dict[str, Future[Part]] = {
            # Each call runs in a copy of the caller's context, so its logs carry the request id.
            name: self.executor.submit(
                contextvars.copy_context().run, self._fetch, name, url, dict(headers or {})
            )
            for name, url in calls.items()
        }
        wait(futures.values(), timeout=self.part_timeout + GRACE_SECONDS)
        parts: dict[str, Part] = {}
        for name, future in futures.items():
            if future.done():
                parts[name] = future.result()
            else:
                # Still queued or running: report it as slow; the thread ends by its own timeout.
                future.cancel()
                parts[name] = Part(
                    name,
                    calls[name],
                    "timeout",
                    error=f"no answer within {self.part_timeout:g} s",
                    latency_ms=_ms_since(started),
                )
        return parts

    def _fetch(self, name: str, url: str, headers: dict[str, str]) -> Part:
        started = time.perf_counter()
        try:
            response = self.pool.request(
                "GET",
                url,
                headers=headers,
                timeout=urllib3.Timeout(total=self.part_timeout),
                retries=False,
            )
        except HTTPError as exc:
            outcome = failure_kind(exc)
            log.warning(
                "backend call failed", extra={"part": name, "outcome": outcome, "error": repr(exc)}
            )
            error = (
                f"no answer within {self.part_timeout:g} s" if outcome == "timeout" else reason(exc)
            )
            return Part(name, url, outcome, error=error, latency_ms=_ms_since(started))
        latency = _ms_since(started)
        try:
            data = json.loads(response.data)
        except ValueError:
            return Part(
                name,
                url,
                "error",
                response.status,
                error="the answer is not JSON",
                latency_ms=latency,
            )
        status = "ok" if 200 <= response.status < 300 else "error"
        error = None if status == "ok" else f"HTTP {response.status}"
        return Part(name, url, status, response.status, data, error, latency)


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def failure_kind(exc: HTTPError) -> str:
    """ "down" when no connection could be made, "timeout" when the backend did not answer."""
    # NewConnectionError (refused, no route, unknown host) subclasses ConnectTimeoutError in
    # urllib3 2, so it must be told apart before the timeouts.
    if isinstance(exc, NewConnectionError):
        return "down"
    return "timeout" if isinstance(exc, TimeoutError) else "down"


def reason(exc: Exception) -> str:
    """The last clause of a failed call's message (the OS error), without hosts or internals."""
    return str(exc).rsplit(": ", 1)[-1][:200]
