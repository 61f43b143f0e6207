"""Calls through the running platform's gateway, with tokens for the people the demo acts as."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import urllib3

from chassis.auth import sign_token
from chassis.config import Settings

T = TypeVar("T")
NOT_RUNNING = (
    "No platform answers at {url}: {why}.\n"
    "Start it in another terminal with `make run` (or `.venv/bin/sofifi run`), wait for "
    '"platform ready", then run `sofifi demo` again. Another address: --gateway URL.'
)


class DemoError(Exception):
    """Something the demo cannot go on from; the message says what to do."""


@dataclass
class Answer:
    """One HTTP answer: status, parsed JSON body (None when empty) and headers."""

    status: int
    body: Any
    headers: Any

    def expect(self, *statuses: int) -> Any:
        """The body when the status is one of `statuses`; DemoError naming the refusal else."""
        if self.status not in statuses:
            raise DemoError(f"the platform answered {self.status}: {json.dumps(self.body)[:600]}")
        return self.body


class Tokens:
    """Short-lived tokens signed with the gateway's key, as the gateway would issue them.

    The demo acts as many people (every supervisor rates, every employee agrees an SKP); logging
    each in would hit the login rate limit, so it signs their tokens with the key the gateway
    signs with, which it reads beside the gateway's database (the same machine as `make run`).
    """

    def __init__(self, settings: Settings) -> None:
        try:
            self.private_key = settings.jwt_private_key_file.read_bytes()
        except OSError as exc:
            raise DemoError(
                f"cannot read the gateway's signing key {settings.jwt_private_key_file} "
                f"({exc.strerror}); run `sofifi demo` where `make run` runs, with the same "
                "SOFIFI_VAR_DIR / JWT_PRIVATE_KEY_FILE"
            ) from exc
        self.settings = settings
        self._cache: dict[tuple, str] = {}

    def token(
        self, subject: str, *roles: str, nip: str | None = None, unit: str | None = None
    ) -> str:
        """A token for `subject` with `roles` (and NIP and unit), valid for the run."""
        key = (subject, roles, nip, unit)
        if key not in self._cache:
            self._cache[key] = sign_token(
                self.private_key,
                subject=subject,
                roles=roles,
                issuer=self.settings.jwt_issuer,
                audience=self.settings.jwt_audience,
                ttl_seconds=3600,
                nip=nip,
                unit=unit,
            )
        return self._cache[key]

    def admin(self) -> str:
        return self.token("demo.admin", "admin")

    def employee(self, nip: str) -> str:
        return self.token(f"demo:{nip}", "employee", nip=nip)

    def supervisor(self, nip: str) -> str:
        return self.token(f"demo:{nip}", "supervisor", "employee", nip=nip)


class Gateway:
    """The platform's gateway: JSON and CSV calls under `/api/v1`, and its health."""

    def __init__(self, url: str, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.http = urllib3.PoolManager(
            maxsize=8, timeout=urllib3.Timeout(connect=5, read=timeout), retries=False
        )

    def call(
        self,
        method: str,
        path: str,
        token: str | None = None,
        body: Any = None,
        *,
        csv: str | None = None,
    ) -> Answer:
        """`method` on `/api/v1<path>`: a JSON body, or a CSV text, with a bearer token."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        data = None
        if csv is not None:
            headers["Content-Type"] = "text/csv"
            data = csv.encode()
        elif body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
        response = self.http.request(method, f"{self.url}/api/v1{path}", body=data, headers=headers)
        try:
            parsed = json.loads(response.data) if response.data else None
        except ValueError:  # not the platform's JSON (e.g. a proxy's error page): show the text
            parsed = response.data[:600].decode(errors="replace")
        return Answer(response.status, parsed, response.headers)

    def check_running(self, patience: float = 30.0) -> None:
        """Return once every part of the platform is ready; DemoError saying what to do else.

        Nothing listening fails at once; a platform that answers but is not ready yet (just
        started, or slow to answer /health on a busy machine) is given `patience` seconds.
        """
        deadline = time.monotonic() + patience
        while True:
            try:
                response = self.http.request("GET", f"{self.url}/health")
            except urllib3.exceptions.HTTPError as exc:
                reason = getattr(exc, "reason", None) or exc
                raise DemoError(NOT_RUNNING.format(url=self.url, why=reason)) from None
            if response.status == 200:
                return
            if time.monotonic() > deadline:
                break
            time.sleep(1.0)
        try:
            backends = json.loads(response.data).get("backends", {})
        except (ValueError, AttributeError):
            raise DemoError(
                NOT_RUNNING.format(url=self.url, why=f"/health answered {response.status}")
            ) from None
        down = sorted(name for name, part in backends.items() if part.get("status") != "ok")
        raise DemoError(
            f"The platform at {self.url} did not become ready within {patience:.0f} s (not "
            f"ready: {', '.join(down) or 'the gateway'}); see its log, then run `sofifi demo` "
            "again."
        )

    def pages(self, path: str, token: str, **query: Any) -> list[dict]:
        """Every item of a paged list (`{items, total}`), 500 at a time."""
        items: list[dict] = []
        page = 1
        while True:
            params = "&".join(f"{k}={v}" for k, v in {**query, "page": page}.items())
            body = self.call("GET", f"{path}?page_size=500&{params}", token).expect(200)
            items += body["items"]
            if not body["items"] or len(items) >= body["total"]:
                return items
            page += 1


def wait_for(what: str, check: Callable[[], T | None], timeout: float) -> T:
    """Poll `check` until it returns something other than None; DemoError after `timeout`."""
    deadline = time.monotonic() + timeout
    delay = 0.1
    while True:
        found = check()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise DemoError(
                f"{what} did not arrive within {timeout:.0f} s; are the platform's workers "
                "running? (`sofifi dead-letters list <service>` shows events a consumer refused)"
            )
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)
