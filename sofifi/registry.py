"""The platform's parts by name: each service, the gateway, their local ports and settings.

Services are imported only when asked for (`load_spec`, `create_app`), so that a command about
one of them does not load the others.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chassis.config import ENV_VARS, EnvVar, Settings, url_var
from chassis.service import ServiceSpec

# Where each web process listens locally (and the gateway looks for it by default).
SERVICE_PORTS: dict[str, int] = {
    "recruitment": 8001,
    "appraisal": 8002,
    "training": 8003,
    "awards": 8004,
    "feedback": 8005,
}
GATEWAY_PORT = 8080
SERVICE_NAMES: tuple[str, ...] = tuple(SERVICE_PORTS)
ALL_TARGETS: tuple[str, ...] = (*SERVICE_NAMES, "gateway")
PORTS: dict[str, int] = {**SERVICE_PORTS, "gateway": GATEWAY_PORT}


def default_service_urls() -> dict[str, str]:
    """Each service's URL as the gateway sees it when nothing else is said."""
    return {name: f"http://127.0.0.1:{port}" for name, port in SERVICE_PORTS.items()}


def env_vars() -> tuple[EnvVar, ...]:
    """Every variable the platform reads: the chassis's table and each service's URL."""
    urls = tuple(url_var(name, url) for name, url in default_service_urls().items())
    return (*ENV_VARS, *urls)


def settings(
    target: str,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """The settings of a service or the gateway, with its port and the services' URLs."""
    return Settings.from_env(
        target,
        overrides,
        environ,
        default_port=PORTS[target],
        service_urls=default_service_urls() if target == "gateway" else None,
    )


def _check(name: str) -> None:
    if name not in SERVICE_PORTS:
        raise KeyError(f"no service named {name!r}; the services are {', '.join(SERVICE_NAMES)}")


def load_spec(name: str) -> ServiceSpec:
    """The ServiceSpec of the service called `name`."""
    _check(name)
    return importlib.import_module(f"services.{name}.app").SPEC


def consumers() -> dict[str, tuple[str, ...]]:
    """The event types each consuming service's queue is bound to."""
    specs = [load_spec(name) for name in SERVICE_NAMES]
    return {spec.name: spec.consumes for spec in specs if spec.handlers}


def migrations_dir(target: str) -> Path:
    """The Alembic folder of a service or the gateway."""
    if target == "gateway":
        from gateway.app import MIGRATIONS_DIR

        return MIGRATIONS_DIR
    return load_spec(target).migrations_dir


def create_app(target: str, config: Mapping[str, Any] | None = None) -> Any:
    """The web app of a service or the gateway (gunicorn: `sofifi.registry:create_app('x')`)."""
    if target == "gateway":
        from gateway.app import create_app as create_gateway

        return create_gateway(config, service_urls=default_service_urls())
    _check(target)
    return importlib.import_module(f"services.{target}.app").create_app(config)
