"""The five domain services; each owns its data and talks to the others through events."""

from __future__ import annotations

import importlib

from chassis.config import SERVICE_NAMES
from chassis.service import ServiceSpec

__all__ = ["SERVICE_NAMES", "load_spec"]


def load_spec(name: str) -> ServiceSpec:
    """The ServiceSpec of the service called `name`."""
    if name not in SERVICE_NAMES:
        raise KeyError(f"no service named {name!r}; the services are {', '.join(SERVICE_NAMES)}")
    return importlib.import_module(f"services.{name}.app").SPEC
