"""HTTP API of the feedback service (its roster projection is declared in handlers.py)."""

from __future__ import annotations

BLUEPRINTS: tuple = ()
