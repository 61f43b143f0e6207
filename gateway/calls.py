"""The gateway's own calls to the services (pages, admin API): upstream client, caller's token."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from gateway.state import gateway_state
from gateway.upstream import UpstreamFailure

PATH_SAFE = "/:@!$&'()*+,;=-._~"


@dataclass(frozen=True)
class Reply:
    """A service's answer as a page uses it: status and parsed JSON (None when not JSON)."""

    status: int
    data: Any
    body: bytes = b""
    content_type: str = ""

    @property
    def ok(self) -> bool:
        """True for a 2xx answer."""
        return 200 <= self.status < 300

    def message(self) -> str:
        """The service's message for a refusal (the common error shape), else the status."""
        if isinstance(self.data, dict) and self.data.get("message"):
            return str(self.data["message"])
        return f"HTTP {self.status}"

    def field_errors(self) -> dict[str, str]:
        """Field -> first reason of a 422 (any location), for the error summary."""
        errors = self.data.get("errors") if isinstance(self.data, dict) else None
        found: dict[str, str] = {}
        for location in (errors or {}).values():
            if isinstance(location, dict):
                for field, reasons in location.items():
                    found[field] = reasons[0] if isinstance(reasons, list) else str(reasons)
        return found


def call(
    service: str,
    method: str,
    path: str,
    token: str | None,
    *,
    query: dict[str, Any] | None = None,
    json_body: Any = None,
    body: bytes | None = None,
    content_type: str | None = None,
    timeout: float | None = None,
    headers: Mapping[str, str] | None = None,
) -> Reply:
    """One call to `service` (path without the /api/v1/<service> prefix); 502/504 if it fails.

    `headers` adds request headers (e.g. `Idempotency-Key` on a job start)."""
    state = gateway_state()
    upstream = state.upstreams.get(service)
    if upstream is None:  # a gateway wired without this backend: it is simply unavailable
        return Reply(502, None)
    target = f"{upstream.base_path}/{quote(path.lstrip('/'), safe=PATH_SAFE)}"
    params = {k: v for k, v in (query or {}).items() if v not in (None, "")}
    if params:
        target += "?" + urlencode(params, doseq=True)
    sent = {**(headers or {}), "Accept": "application/json"}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    if json_body is not None:
        body = json.dumps(json_body).encode()
        content_type = "application/json"
    if content_type:
        sent["Content-Type"] = content_type
    try:
        answer = upstream.call(
            method, target, sent, body, timeout or state.settings.gateway_timeout
        )
    except UpstreamFailure as exc:
        return Reply(504 if exc.kind == "timeout" else 502, None)
    kind = dict((k.lower(), v) for k, v in answer.headers).get("content-type", "")
    try:
        data = json.loads(answer.body) if "json" in kind and answer.body else None
    except ValueError:
        data = None
    return Reply(answer.status, data, answer.body, kind)


def get_all(
    token: str | None, requests: Mapping[str, tuple[str, str, dict[str, Any] | None]]
) -> dict[str, Reply]:
    """Several GETs at once, `name -> (service, path, query)`, each answered as `call` would.

    For a page that needs more than one service: the calls run together (gateway.aggregate:
    from this thread, no pool), so the page waits about as long as the slowest of them, each
    within GATEWAY_PART_TIMEOUT. A failed call is a 502 (down) or 504 (timeout) Reply; the
    replies carry the parsed JSON only (`body` is empty).
    """
    state = gateway_state()
    urls: dict[str, str] = {}
    replies: dict[str, Reply] = {}
    for name, (service, path, query) in requests.items():
        upstream = state.upstreams.get(service)
        if upstream is None:
            replies[name] = Reply(502, None)
            continue
        target = f"{upstream.base_path}/{quote(path.lstrip('/'), safe=PATH_SAFE)}"
        params = {k: v for k, v in (query or {}).items() if v not in (None, "")}
        if params:
            target += "?" + urlencode(params, doseq=True)
        urls[name] = f"http://{upstream.host}:{upstream.port}{target}"
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    parts = state.aggregator.get_json(urls, headers) if urls else {}
    for name, part in parts.items():
        if part.http_status is None:
            replies[name] = Reply(504 if part.status == "timeout" else 502, None)
        else:
            replies[name] = Reply(part.http_status, part.data)
    return {name: replies[name] for name in requests}
