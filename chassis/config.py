"""Configuration from the environment, with documented defaults.

Every variable the platform reads is declared once in ``ENV_VARS``; the README's table and the
compose validation test are checked against this list, so a name cannot drift silently.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

SERVICE_NAMES: tuple[str, ...] = ("recruitment", "appraisal", "training", "awards", "feedback")
DEFAULT_PORTS: dict[str, int] = {
    "gateway": 8080,
    "recruitment": 8001,
    "appraisal": 8002,
    "training": 8003,
    "awards": 8004,
    "feedback": 8005,
}


@dataclass(frozen=True)
class EnvVar:
    name: str
    default: str
    help: str


ENV_VARS: tuple[EnvVar, ...] = (
    EnvVar("SOFIFI_VAR_DIR", "var", "Folder for SQLite files, dev keys and metrics files."),
    EnvVar(
        "DATABASE_URL",
        "sqlite:///<SOFIFI_VAR_DIR>/<service>.db",
        "The service's own database (SQLAlchemy URL); one database per service.",
    ),
    EnvVar("AMQP_URL", "amqp://guest:guest@localhost:5672//", "RabbitMQ broker (kombu URL)."),
    EnvVar("EVENT_EXCHANGE", "asn.events", "Topic exchange every event is published to."),
    EnvVar("EVENT_DELIVERY_LIMIT", "5", "Deliveries of one event before it is dead-lettered."),
    EnvVar("CONSUMER_PREFETCH", "200", "Unacknowledged events a consumer may hold."),
    EnvVar("CONSUMER_BATCH_SIZE", "100", "Events committed together in one consumer transaction."),
    EnvVar("OUTBOX_BATCH_SIZE", "500", "Outbox rows the relay publishes per confirmed batch."),
    EnvVar("OUTBOX_POLL_INTERVAL", "0.05", "Longest pause (seconds) of an idle outbox relay."),
    EnvVar(
        "WORKER_HEARTBEAT_FILE",
        "(unset: no heartbeat)",
        "File a worker touches every second while healthy (container healthchecks read its age).",
    ),
    EnvVar("JWT_ISSUER", "sofifi-gateway", "The `iss` every token must carry."),
    EnvVar("JWT_AUDIENCE", "sofifi-asn", "The `aud` every token must carry."),
    EnvVar(
        "JWT_PUBLIC_KEY_FILE",
        "<SOFIFI_VAR_DIR>/keys/jwt-public.pem",
        "RS256 public key every service verifies tokens with.",
    ),
    EnvVar(
        "JWT_PRIVATE_KEY_FILE",
        "<SOFIFI_VAR_DIR>/keys/jwt-private.pem",
        "RS256 private key the gateway signs tokens with (gateway only).",
    ),
    EnvVar("JWT_TTL_SECONDS", "3600", "Lifetime of an issued token."),
    EnvVar("LOG_LEVEL", "INFO", "Python log level."),
    EnvVar("HOST", "127.0.0.1", "Address the web process binds (0.0.0.0 in the container image)."),
    EnvVar("PORT", "<per service: gateway 8080, 8001..8005>", "Port the web process listens on."),
    EnvVar("WEB_CONCURRENCY", "2", "Gunicorn worker processes per web process."),
    EnvVar("WEB_THREADS", "4", "Threads per gunicorn worker."),
    EnvVar(
        "PROMETHEUS_MULTIPROC_DIR",
        "<SOFIFI_VAR_DIR>/metrics/<service> under gunicorn",
        "Shared folder for metrics of several gunicorn workers.",
    ),
    EnvVar(
        "RECRUITMENT_URL", "http://127.0.0.1:8001", "Recruitment service, as the gateway sees it."
    ),
    EnvVar("APPRAISAL_URL", "http://127.0.0.1:8002", "Appraisal service, as the gateway sees it."),
    EnvVar("TRAINING_URL", "http://127.0.0.1:8003", "Training service, as the gateway sees it."),
    EnvVar("AWARDS_URL", "http://127.0.0.1:8004", "Awards service, as the gateway sees it."),
    EnvVar("FEEDBACK_URL", "http://127.0.0.1:8005", "Feedback service, as the gateway sees it."),
    EnvVar("GATEWAY_TIMEOUT", "10", "Seconds the gateway waits for a proxied call."),
    EnvVar(
        "GATEWAY_PART_TIMEOUT", "2", "Seconds the gateway waits for one part of a combined view."
    ),
    EnvVar(
        "GATEWAY_UPLOAD_TIMEOUT",
        "120",
        "Seconds the gateway waits for a bulk upload (POST .../import, .../upload, CSV scores).",
    ),
    EnvVar(
        "GATEWAY_MAX_UPLOAD_BYTES",
        "33554432",
        "Largest bulk upload body the gateway relays (32 MiB; other bodies: 10 MiB).",
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
    ),
)
ENV_NAMES: frozenset[str] = frozenset(var.name for var in ENV_VARS)


def _float(value: Any) -> float:
    return float(value)


@dataclass(frozen=True)
class Settings:
    """Typed settings of one process (a service's web or worker, or the gateway)."""

    service: str
    var_dir: Path
    database_url: str
    amqp_url: str
    event_exchange: str = "asn.events"
    event_delivery_limit: int = 5
    consumer_prefetch: int = 200
    consumer_batch_size: int = 100
    outbox_batch_size: int = 500
    outbox_poll_interval: float = 0.05
    jwt_issuer: str = "sofifi-gateway"
    jwt_audience: str = "sofifi-asn"
    jwt_public_key_file: Path = Path("var/keys/jwt-public.pem")
    jwt_private_key_file: Path = Path("var/keys/jwt-private.pem")
    jwt_ttl_seconds: int = 3600
    log_level: str = "INFO"
    port: int = 8080
    service_urls: dict[str, str] = field(default_factory=dict)
    gateway_timeout: float = 10.0
    gateway_part_timeout: float = 2.0
    gateway_upload_timeout: float = 120.0
    gateway_max_upload_bytes: int = 32 * 1024 * 1024
    ratelimit_storage_uri: str = "memory://"
    ratelimit_public: str = "120 per minute"
    ratelimit_login: str = "10 per minute"
    trusted_proxies: int = 0
    feedback_write_limit: str = "30 per minute"

    @classmethod
    def from_env(
        cls,
        service: str,
        overrides: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """Read settings for `service` from the environment; `overrides` (env names) win."""
        source: dict[str, Any] = dict(os.environ if environ is None else environ)
        source.update(overrides or {})

        def get(name: str, default: Any) -> Any:
            value = source.get(name)
            return default if value in (None, "") else value

        var_dir = Path(get("SOFIFI_VAR_DIR", "var"))
        return cls(
            service=service,
            var_dir=var_dir,
            database_url=get("DATABASE_URL", f"sqlite:///{var_dir / service}.db"),
            amqp_url=get("AMQP_URL", "amqp://guest:guest@localhost:5672//"),
            event_exchange=get("EVENT_EXCHANGE", "asn.events"),
            event_delivery_limit=int(get("EVENT_DELIVERY_LIMIT", 5)),
            consumer_prefetch=int(get("CONSUMER_PREFETCH", 200)),
            consumer_batch_size=int(get("CONSUMER_BATCH_SIZE", 100)),
            outbox_batch_size=int(get("OUTBOX_BATCH_SIZE", 500)),
            outbox_poll_interval=_float(get("OUTBOX_POLL_INTERVAL", 0.05)),
            jwt_issuer=get("JWT_ISSUER", "sofifi-gateway"),
            jwt_audience=get("JWT_AUDIENCE", "sofifi-asn"),
            jwt_public_key_file=Path(get("JWT_PUBLIC_KEY_FILE", var_dir / "keys/jwt-public.pem")),
            jwt_private_key_file=Path(
                get("JWT_PRIVATE_KEY_FILE", var_dir / "keys/jwt-private.pem")
            ),
            jwt_ttl_seconds=int(get("JWT_TTL_SECONDS", 3600)),
            log_level=str(get("LOG_LEVEL", "INFO")).upper(),
            port=int(get("PORT", DEFAULT_PORTS.get(service, 8080))),
            service_urls={
                name: get(f"{name.upper()}_URL", f"http://127.0.0.1:{DEFAULT_PORTS[name]}")
                for name in SERVICE_NAMES
            },
            gateway_timeout=_float(get("GATEWAY_TIMEOUT", 10)),
            gateway_part_timeout=_float(get("GATEWAY_PART_TIMEOUT", 2)),
            gateway_upload_timeout=_float(get("GATEWAY_UPLOAD_TIMEOUT", 120)),
            gateway_max_upload_bytes=int(get("GATEWAY_MAX_UPLOAD_BYTES", 32 * 1024 * 1024)),
            ratelimit_storage_uri=get("RATELIMIT_STORAGE_URI", "memory://"),
            ratelimit_public=get("RATELIMIT_PUBLIC", "120 per minute"),
            ratelimit_login=get("RATELIMIT_LOGIN", "10 per minute"),
            trusted_proxies=int(get("TRUSTED_PROXIES", 0)),
            feedback_write_limit=get("FEEDBACK_WRITE_LIMIT", "30 per minute"),
        )

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Settings(**values)
