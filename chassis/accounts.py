"""Broker accounts: one RabbitMQ user per service, allowed to publish only its own events.

Each service `S` connects as user `<prefix>S` (e.g. `recruitment`, or `sofifi-recruitment`):
it may declare and read only its own queues, and publish on the events exchange only routing
keys `S.*` (a topic permission; RabbitMQ refuses anything else and closes the channel). The
publisher stamps `user_id` on every message and RabbitMQ checks it is the connection's user, so
a consumer can trust it: an event of type `S.x.y` must come from `<prefix>S` (`SenderCheck`).
A consumer whose own user is not named after its service runs on one shared account (dev,
tests): then nothing tells publishers apart and only the clock check applies; it says so in its
log. An `occurred_at` further in the future than MAX_CLOCK_SKEW is refused in both modes (a
far-future time would pin a projection for good).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

MAX_CLOCK_SKEW = timedelta(minutes=5)
ACCOUNTS_FILE = "broker-accounts.json"  # under SOFIFI_VAR_DIR, written by `sofifi run`


def owner(event_type: str) -> str:
    """The service that owns (alone may publish) an event type: its routing key's first part."""
    return event_type.split(".", 1)[0]


@dataclass(frozen=True)
class SenderCheck:
    """Why an event's sender or time is refused, as a consumer sees them."""

    prefix: str | None  # None: one shared account, publishers cannot be told apart

    @classmethod
    def of(cls, own_user: str | None, service: str) -> SenderCheck:
        """The check for a consumer of `service` connected as `own_user`."""
        if own_user and own_user.endswith(service):
            return cls(prefix=own_user[: -len(service)])
        return cls(prefix=None)

    @property
    def per_service(self) -> bool:
        return self.prefix is not None

    def problem(
        self, event_type: str, user_id: str | None, occurred: datetime, now: datetime | None = None
    ) -> str | None:
        """Why the event is refused, or None."""
        if occurred > (now or datetime.now(UTC)) + MAX_CLOCK_SKEW:
            return f"occurred_at {occurred.isoformat()} is in the future"
        if self.prefix is None:
            return None
        expected = f"{self.prefix}{owner(event_type)}"
        if user_id != expected:
            return f"{event_type} must be published by broker user {expected}, not {user_id!r}"
        return None


@dataclass(frozen=True)
class Permissions:
    """A service user's vhost permissions (regular expressions) and its topic permission."""

    configure: str
    write: str
    read: str
    topic_write: str
    topic_read: str = ".*"


def permissions(service: str, exchange: str) -> Permissions:
    """What the broker user of `service` may do (queues `S.events[.dead-letter]`, the exchanges;
    routing keys `S.*` only)."""
    own = rf"{re.escape(service)}\.events(\.dead-letter)?"
    exchanges = rf"{re.escape(exchange)}(\.dead-letter)?"
    return Permissions(
        configure=f"^({exchanges}|{own})$",
        # write: on the exchange to publish, on its own queues to bind them, on the dead-letter
        # exchange to declare a queue that dead-letters into it
        write=f"^({exchanges}|{own})$",
        read=f"^({exchanges}|{own})$",
        topic_write=rf"^{re.escape(service)}\.",
    )


def definitions(
    services: Iterable[str], exchange: str, prefix: str = "", vhost: str = "/"
) -> dict[str, list[dict[str, str]]]:
    """The permissions of every service user as RabbitMQ definitions (the users themselves and
    their passwords are made by whoever deploys: deploy/rabbitmq/load_definitions.py)."""
    vhost_permissions, topic_permissions = [], []
    for service in sorted(services):
        granted = permissions(service, exchange)
        user = f"{prefix}{service}"
        vhost_permissions.append(
            {
                "user": user,
                "vhost": vhost,
                "configure": granted.configure,
                "write": granted.write,
                "read": granted.read,
            }
        )
        topic_permissions.append(
            {
                "user": user,
                "vhost": vhost,
                "exchange": exchange,
                "write": granted.topic_write,
                "read": granted.topic_read,
            }
        )
    return {"permissions": vhost_permissions, "topic_permissions": topic_permissions}


def provision(
    ctl: Callable[..., object],
    service: str,
    password: str,
    exchange: str,
    *,
    prefix: str = "",
    vhost: str = "/",
) -> str:
    """Create (or update) the user of `service` with `rabbitmqctl` (`ctl(*args)`); its name."""
    user = f"{prefix}{service}"
    granted = permissions(service, exchange)
    try:
        ctl("add_user", user, password)
    except Exception:  # already there: set the password we were given
        ctl("change_password", user, password)
    ctl("set_permissions", "-p", vhost, user, granted.configure, granted.write, granted.read)
    ctl(
        "set_topic_permissions",
        "-p",
        vhost,
        user,
        exchange,
        granted.topic_write,
        granted.topic_read,
    )
    return user


def local_service_urls(
    amqp_url: str, exchange: str, services: Iterable[str], prefix: str | None = None
) -> dict[str, str]:
    """Each service's own user on a broker of this machine, made with `rabbitmqctl` (fresh
    random passwords), as AMQP URLs; {} when the broker is elsewhere or rabbitmqctl cannot
    run (then every process keeps `amqp_url`'s one account).

    Users are named `sofifi-<service>`, or `<vhost>-<service>` on another virtual host than
    `/` (users are broker-wide: two runs on two vhosts must not change each other's passwords).
    """
    parts = urlsplit(amqp_url)
    if parts.scheme not in ("amqp", "pyamqp") or parts.hostname not in ("localhost", "127.0.0.1"):
        return {}
    if not shutil.which("rabbitmqctl"):
        return {}
    vhost = unquote(parts.path[1:]) or "/"
    if prefix is None:
        prefix = "sofifi-" if vhost == "/" else f"{vhost}-"

    def ctl(*args: str) -> None:
        subprocess.run(
            ["rabbitmqctl", "-q", *args], check=True, capture_output=True, text=True, timeout=60
        )

    urls = {}
    try:
        for service in services:
            password = secrets.token_hex(16)
            user = provision(ctl, service, password, exchange, prefix=prefix, vhost=vhost)
            netloc = f"{quote(user)}:{password}@{parts.hostname}:{parts.port or 5672}"
            urls[service] = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    except (OSError, subprocess.SubprocessError):
        return {}
    return urls


def write_accounts_file(path: Path, urls: dict[str, str]) -> None:
    """Keep the service URLs (with their passwords) for tools of this machine that must act as
    a service, e.g. publish its events: created 0600, never readable by others."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as accounts_file:
        json.dump(urls, accounts_file, indent=2, sort_keys=True)
