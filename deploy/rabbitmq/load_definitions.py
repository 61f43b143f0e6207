"""Import the broker topology (definitions.json) through RabbitMQ's management HTTP API.

Run once by docker compose after RabbitMQ is healthy. Importing at boot (`load_definitions`)
would stop RabbitMQ from creating its default user, whose password comes from .env; importing
over HTTP afterwards keeps that user and changes nothing that already matches (idempotent).
The management address and credentials are taken from AMQP_URL, the one the workers use.
Standard library only: it runs in the platform image with no extra package.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

MANAGEMENT_PORT = 15672
ATTEMPTS = 30


def import_request(amqp_url: str, definitions: bytes) -> urllib.request.Request:
    """The POST /api/definitions request for the broker and user named in `amqp_url`."""
    parts = urlsplit(amqp_url)
    if not parts.hostname or parts.username is None or parts.password is None:
        raise ValueError("AMQP_URL must name a host, a user and a password")
    credentials = f"{unquote(parts.username)}:{unquote(parts.password)}".encode()
    return urllib.request.Request(
        f"http://{parts.hostname}:{MANAGEMENT_PORT}/api/definitions",
        data=definitions,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": "Basic " + base64.b64encode(credentials).decode(),
        },
    )


def user_request(amqp_url: str, user: str, password: str) -> urllib.request.Request:
    """The PUT /api/users/<user> request that creates (or updates) a service's broker user."""
    request = import_request(amqp_url, json.dumps({"password": password, "tags": ""}).encode())
    request.full_url = request.full_url.replace("/api/definitions", f"/api/users/{quote(user)}")
    request.method = "PUT"
    return request


def service_users(definitions: bytes, environ: dict[str, str]) -> list[tuple[str, str]]:
    """(user, password) of each service user the definitions grant permissions to; the password
    comes from <USER>_BROKER_PASSWORD (e.g. RECRUITMENT_BROKER_PASSWORD)."""
    users = sorted({entry["user"] for entry in json.loads(definitions).get("permissions", [])})
    missing = [
        f"{user.upper()}_BROKER_PASSWORD"
        for user in users
        if not environ.get(f"{user.upper()}_BROKER_PASSWORD")
    ]
    if missing:
        raise KeyError(f"set {', '.join(missing)}")
    return [(user, environ[f"{user.upper()}_BROKER_PASSWORD"]) for user in users]


def main(argv: list[str]) -> int:
    """Make each service's broker user, then post the definitions file named in argv[1] (with
    their permissions), retrying while the management API starts."""
    path = Path(argv[1] if len(argv) > 1 else "/etc/sofifi/rabbitmq/definitions.json")
    definitions = path.read_bytes()
    amqp_url = os.environ["AMQP_URL"]
    requests = [
        user_request(amqp_url, user, password)
        for user, password in service_users(definitions, dict(os.environ))
    ]
    requests.append(import_request(amqp_url, definitions))
    for request in requests:
        if send(request) != 0:
            return 1
    print(f"service users made and definitions imported from {path}")
    return 0


def send(request: urllib.request.Request) -> int:
    """Send one management API request, retrying while the API starts; 0 once it succeeded."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - http only
                return 0
        except urllib.error.HTTPError as exc:
            # 4xx: wrong credentials or a definition the broker refuses; retrying cannot help.
            if exc.code < 500:
                print(f"import refused: HTTP {exc.code} {exc.read()[:500]!r}", file=sys.stderr)
                return 1
            error: Exception = exc
        except OSError as exc:
            error = exc
        print(f"management API not ready ({error}); attempt {attempt}/{ATTEMPTS}", file=sys.stderr)
        time.sleep(2)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
