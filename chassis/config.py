"""Configuration from the environment: one table declares every variable the chassis reads.

Each variable is declared once in ``ENV_VARS`` (name, default, parser, help); `Settings.from_env`
and `env()` read through it, and the README's table is checked against it. The chassis knows no
service by name: the wiring (`sofifi.registry`) passes each process's default port and the
services the gateway routes to, and declares their `<SERVICE>_URL` variables with `url_var`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any


def parse_bool(value: str) -> bool:
    """'1', 'true', 'yes', 'on' (any case) are true; '0', 'false', 'no', 'off' false."""
    text = value.strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"not a yes/no value: {value!r}")


@dataclass(frozen=True)
class EnvVar:
    """One variable: its name, its default as text (None: computed, see `shown`), parser, help."""

    name: str
    default: str | None
    help: str
    parse: Callable[[str], Any] = str
    # How the README shows a computed default (e.g. "<SOFIFI_VAR_DIR>/<service>.db").
    shown: str | None = None

    @property
    def documented_default(self) -> str:
        """The default as the README table shows it."""
        return self.shown if self.shown is not None else str(self.default)

    def read(self, source: Mapping[str, Any]) -> Any:
        """The parsed value in `source`, or the parsed default (None when computed and unset)."""
        value = source.get(self.name)
        if value in (None, ""):
            return None if self.default is None else self.parse(self.default)
        return value if not isinstance(value, str) else self.parse(value)


def _upper(value: str) -> str:
    return value.upper()


ENV_VARS: tuple[EnvVar, ...] = (
    EnvVar("SOFIFI_VAR_DIR", "var", "Folder for SQLite files, dev keys and metrics files.", Path),
    EnvVar(
        "SOFIFI_SERVICE",
        "web",
        "Name of a web process in its logs and process title (`sofifi web` sets it).",
    ),
    EnvVar(
        "SOFIFI_FASTPATHS",
        "on",
        "Speed hacks (py-amqp read-ahead and corked writes, driver-level outbox insert); "
        "`off` runs the plain library paths.",
        parse_bool,
    ),
    EnvVar(
        "DATABASE_URL",
        None,
        "The service's own database (SQLAlchemy URL); one database per service.",
        shown="sqlite:///<SOFIFI_VAR_DIR>/<service>.db",
    ),
    EnvVar(
        "AMQP_URL",
        "amqp://guest:guest@localhost:5672//",
        "RabbitMQ broker (kombu URL); a cluster's nodes separated by `;` (failover, in order).",
    ),
    EnvVar("EVENT_EXCHANGE", "asn.events", "Topic exchange every event is published to."),
    EnvVar("EVENT_DELIVERY_LIMIT", "5", "Deliveries of one event before it is dead-lettered.", int),
    EnvVar("CONSUMER_PREFETCH", "600", "Unacknowledged events a consumer may hold.", int),
    EnvVar(
        "CONSUMER_BATCH_SIZE", "300", "Events committed together in one consumer transaction.", int
    ),
    EnvVar("OUTBOX_BATCH_SIZE", "500", "Outbox rows the relay publishes per confirmed batch.", int),
    EnvVar(
        "OUTBOX_POLL_INTERVAL",
        "0.05",
        "Pause (seconds) of a relay between polls while events are flowing.",
        float,
    ),
    EnvVar(
        "OUTBOX_IDLE_INTERVAL",
        "2",
        "Longest pause (seconds) of an idle relay; on PostgreSQL a NOTIFY wakes it at once, on "
        "SQLite the pause grows to this while nothing comes.",
        float,
    ),
    EnvVar(
        "WORKER_HEARTBEAT_FILE",
        None,
        "File a worker touches every few seconds while healthy (container healthchecks read "
        "its age).",
        Path,
        shown="(unset: no heartbeat)",
    ),
    EnvVar("JWT_ISSUER", "sofifi-gateway", "The `iss` every token must carry."),
    EnvVar("JWT_AUDIENCE", "sofifi-asn", "The `aud` every token must carry."),
    EnvVar(
        "JWT_PUBLIC_KEY_FILE",
        None,
        "RS256 public key every service verifies tokens with.",
        Path,
        shown="<SOFIFI_VAR_DIR>/keys/jwt-public.pem",
    ),
    EnvVar(
        "JWT_PRIVATE_KEY_FILE",
        None,
        "RS256 private key the gateway signs tokens with (gateway only).",
        Path,
        shown="<SOFIFI_VAR_DIR>/keys/jwt-private.pem",
    ),
    EnvVar("JWT_TTL_SECONDS", "3600", "Lifetime of an issued token.", int),
    EnvVar("LOG_LEVEL", "INFO", "Python log level.", _upper),
    EnvVar("HOST", "127.0.0.1", "Address the web process binds (0.0.0.0 in the container image)."),
    EnvVar(
        "PORT",
        None,
        "Port the web process listens on.",
        int,
        shown="<per process, from the wiring: gateway 8080, services 8001..8005>",
    ),
    EnvVar("WEB_CONCURRENCY", "2", "Gunicorn worker processes per web process.", int),
    EnvVar("WEB_THREADS", "4", "Threads per gunicorn worker.", int),
    EnvVar(
        "WEB_CONNECTIONS",
        "1000",
        "Connections one gunicorn worker holds at once (idle, being read or being served).",
        int,
    ),
    EnvVar(
        "HTTP_HEADER_TIMEOUT",
        "10",
        "Seconds a client has for a request's line and headers (from its first byte; a new "
        "connection that sends nothing is closed after this too); then 408.",
        float,
    ),
    EnvVar(
        "HTTP_BODY_TIMEOUT",
        "30",
        "Seconds a client has for a request body, or longer while it keeps HTTP_BODY_MIN_RATE; "
        "then 408.",
        float,
    ),
    EnvVar(
        "HTTP_BODY_MIN_RATE",
        "32768",
        "Bytes per second a body slower than HTTP_BODY_TIMEOUT must keep on average.",
        float,
    ),
    EnvVar(
        "HTTP_KEEPALIVE",
        "5",
        "Seconds an idle kept-alive connection waits for its next request before it is closed.",
        float,
    ),
    EnvVar(
        "HTTP_BODY_BUFFER",
        "1048576",
        "Largest body read in the worker's poller before a thread takes the request (bigger: "
        "bulk uploads, read by a thread under the same deadlines).",
        int,
    ),
    EnvVar(
        "PROMETHEUS_MULTIPROC_DIR",
        None,
        "Shared folder for metrics of several gunicorn workers.",
        shown="<SOFIFI_VAR_DIR>/metrics/<service> under gunicorn",
    ),
    EnvVar("GATEWAY_TIMEOUT", "10", "Seconds the gateway waits for a proxied call.", float),
    EnvVar(
        "GATEWAY_PART_TIMEOUT",
        "2",
        "Seconds the gateway waits for one part of a combined view.",
        float,
    ),
    EnvVar(
        "GATEWAY_UPLOAD_TIMEOUT",
        "120",
        "Seconds the gateway waits for a bulk upload (POST .../import, .../upload, CSV scores).",
        float,
    ),
    EnvVar(
        "GATEWAY_MAX_UPLOAD_BYTES",
        "33554432",
        "Largest bulk upload body the gateway relays (32 MiB; other bodies: 10 MiB).",
        int,
    ),
    EnvVar(
        "GATEWAY_URL",
        "http://127.0.0.1:8080",
        "The gateway, as services see it: they read the revoked tokens from it.",
    ),
    EnvVar(
        "REVOCATION_REFRESH_SECONDS",
        "5",
        "Services reread the gateway's list of revoked tokens at most this often (0: they do "
        "not check it).",
        float,
    ),
    EnvVar("RATELIMIT_STORAGE_URI", "memory://", "Rate-limit counters (redis:// when scaled out)."),
    EnvVar("RATELIMIT_PUBLIC", "120 per minute", "Limit per client on calls without a token."),
    EnvVar("RATELIMIT_LOGIN", "10 per minute", "Limit per client on POST /api/v1/auth/token."),
    EnvVar(
        "FEEDBACK_WRITE_LIMIT",
        "30 per minute",
        "Limit per client on the feedback service's public writes (reports, answers, uploads).",
    ),
    EnvVar(
        "TRUSTED_PROXIES",
        "0",
        "Reverse proxies in front of the gateway trusted to set X-Forwarded-For (rate-limit keys).",
        int,
    ),
    EnvVar(
        "SATYALANCANA_RESTART",
        "true",
        "Awards: the Satyalancana count starts again after unpaid leave or a sanction (false: "
        "anyone with either in their service is excluded).",
        parse_bool,
    ),
)
ENV_NAMES: frozenset[str] = frozenset(var.name for var in ENV_VARS)
_BY_NAME: dict[str, EnvVar] = {var.name: var for var in ENV_VARS}


def url_var(service: str, default: str) -> EnvVar:
    """The declaration of `<SERVICE>_URL`: where the gateway finds `service`."""
    return EnvVar(
        f"{service.upper()}_URL",
        default,
        f"{service.capitalize()} service, as the gateway sees it.",
    )


def env(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """The parsed value of one declared variable (its default when unset; None if computed)."""
    return _BY_NAME[name].read(os.environ if environ is None else environ)


@dataclass(frozen=True)
class Settings:
    """Typed settings of one process (a service's web or worker, or the gateway)."""

    service: str
    var_dir: Path
    database_url: str
    amqp_url: str
    event_exchange: str
    event_delivery_limit: int
    consumer_prefetch: int
    consumer_batch_size: int
    outbox_batch_size: int
    outbox_poll_interval: float
    outbox_idle_interval: float
    worker_heartbeat_file: Path | None
    jwt_issuer: str
    jwt_audience: str
    jwt_public_key_file: Path
    jwt_private_key_file: Path
    jwt_ttl_seconds: int
    log_level: str
    port: int
    service_urls: dict[str, str]
    gateway_timeout: float
    gateway_part_timeout: float
    gateway_upload_timeout: float
    gateway_max_upload_bytes: int
    gateway_url: str
    revocation_refresh_seconds: float
    ratelimit_storage_uri: str
    ratelimit_public: str
    ratelimit_login: str
    trusted_proxies: int
    satyalancana_restart: bool
    feedback_write_limit: str

    @classmethod
    def from_env(
        cls,
        service: str,
        overrides: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
        *,
        default_port: int = 8080,
        service_urls: Mapping[str, str] | None = None,
    ) -> Settings:
        """Read settings for `service`; `overrides` (env names) win over the environment.

        `default_port` and `service_urls` (name -> default URL, each overridden by its
        `<NAME>_URL` variable) come from the wiring, which alone knows the services.
        """
        source: dict[str, Any] = dict(os.environ if environ is None else environ)
        source.update(overrides or {})

        def get(name: str) -> Any:
            return _BY_NAME[name].read(source)

        var_dir = get("SOFIFI_VAR_DIR")
        port = get("PORT")
        return cls(
            service=service,
            var_dir=var_dir,
            database_url=get("DATABASE_URL") or f"sqlite:///{var_dir / service}.db",
            amqp_url=get("AMQP_URL"),
            event_exchange=get("EVENT_EXCHANGE"),
            event_delivery_limit=get("EVENT_DELIVERY_LIMIT"),
            consumer_prefetch=get("CONSUMER_PREFETCH"),
            consumer_batch_size=get("CONSUMER_BATCH_SIZE"),
            outbox_batch_size=get("OUTBOX_BATCH_SIZE"),
            outbox_poll_interval=get("OUTBOX_POLL_INTERVAL"),
            outbox_idle_interval=get("OUTBOX_IDLE_INTERVAL"),
            worker_heartbeat_file=get("WORKER_HEARTBEAT_FILE"),
            jwt_issuer=get("JWT_ISSUER"),
            jwt_audience=get("JWT_AUDIENCE"),
            jwt_public_key_file=get("JWT_PUBLIC_KEY_FILE") or var_dir / "keys/jwt-public.pem",
            jwt_private_key_file=get("JWT_PRIVATE_KEY_FILE") or var_dir / "keys/jwt-private.pem",
            jwt_ttl_seconds=get("JWT_TTL_SECONDS"),
            log_level=get("LOG_LEVEL"),
            port=default_port if port is None else port,
            service_urls={
                name: url_var(name, default).read(source)
                for name, default in (service_urls or {}).items()
            },
            gateway_timeout=get("GATEWAY_TIMEOUT"),
            gateway_part_timeout=get("GATEWAY_PART_TIMEOUT"),
            gateway_upload_timeout=get("GATEWAY_UPLOAD_TIMEOUT"),
            gateway_max_upload_bytes=get("GATEWAY_MAX_UPLOAD_BYTES"),
            gateway_url=get("GATEWAY_URL"),
            revocation_refresh_seconds=get("REVOCATION_REFRESH_SECONDS"),
            ratelimit_storage_uri=get("RATELIMIT_STORAGE_URI"),
            ratelimit_public=get("RATELIMIT_PUBLIC"),
            ratelimit_login=get("RATELIMIT_LOGIN"),
            trusted_proxies=get("TRUSTED_PROXIES"),
            satyalancana_restart=get("SATYALANCANA_RESTART"),
            feedback_write_limit=get("FEEDBACK_WRITE_LIMIT"),
        )

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Settings(**values)
