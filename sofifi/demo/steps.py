"""The frame every service's demo module fills: a context to act in, steps, and the tally."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from chassis.config import Settings
from sofifi.demo.client import Gateway, Tokens
from sofifi.demo.province import Province

# Calls in flight at once for the per-person steps (SKP, ratings): the platform's web
# processes serve several each, and more would only queue on a small machine.
PARALLEL_CALLS = 4


@dataclass
class Demo:
    """What a step acts with: the gateway, tokens, the province and what earlier steps found."""

    gateway: Gateway
    tokens: Tokens
    province: Province
    settings: Settings  # the gateway's (its user store and signing key)
    timeout: float = 60.0
    created: Counter = field(default_factory=Counter)  # (service, what) -> count
    details: Counter = field(default_factory=Counter)  # (service, what) -> count, not created
    seen: dict[str, Any] = field(default_factory=dict)  # facts steps leave for later ones
    problems: list[str] = field(default_factory=list)
    say: Callable[[str], None] = print

    @property
    def admin(self) -> str:
        return self.tokens.admin()

    def count(self, service: str, what: str, number: int = 1) -> None:
        """Record that `number` `what`s were created in `service` by this run."""
        self.created[service, what] += number

    def detail(self, service: str, what: str, number: int) -> None:
        """Record a figure about what was created (e.g. how many are eligible), not a record."""
        self.details[service, what] += number

    def hint(self, text: str) -> None:
        """Something to try with what the run made, printed after the accounts."""
        self.seen.setdefault("hints", []).append(text)

    def each(self, function: Callable[[Any], Any], items: list) -> list:
        """`function` over `items`, a few calls in flight at once; results in order."""
        if len(items) < 2:
            return [function(item) for item in items]
        pool = ThreadPoolExecutor(PARALLEL_CALLS, thread_name_prefix="demo")
        try:
            return list(pool.map(function, items))
        finally:
            # On Ctrl-C or a refusal, items not started are dropped; those under way finish,
            # so that no one is left half-done (an SKP made but not agreed).
            pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class Step:
    """One thing the demo makes in one service; `run` skips what exists and counts the rest."""

    service: str
    title: str
    run: Callable[[Demo], None]
