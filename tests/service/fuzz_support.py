"""Schemathesis over a Flask app's own OpenAPI document: every operation, each caller.

Each operation gets `max_examples` generated cases that keep to its schema and as many that
break it; every case is sent once per caller (a token of each role and none). The checks are
that no answer is a 5xx and that every documented answer matches its response schema. Failures
are collected (one example each) rather than raised one at a time, so a run reports them all.
"""

from __future__ import annotations

import functools
import os
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from chassis.principal import ROLES

CHECKS = [not_a_server_error, response_schema_conformance]
# Cases per operation and generation mode; each is sent once per caller (7 of them).
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "10"))


@dataclass
class FuzzReport:
    """What a run sent and what it found: (operation, problem) -> how often, one example."""

    operations: int = 0
    cases: int = 0
    calls: int = 0
    failures: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: dict[tuple[str, str], str] = field(default_factory=dict)

    def fail(self, operation: str, problem: str, example: str) -> None:
        self.failures[(operation, problem)] += 1
        self.examples.setdefault((operation, problem), example[:2000])

    def summary(self) -> str:
        lines = [
            f"{self.operations} operations, {self.cases} cases, {self.calls} calls, "
            f"{sum(self.failures.values())} failures"
        ]
        lines += [f"  {op}: {problem} x{n}" for (op, problem), n in self.failures.items()]
        lines += [f"--- {op}: {problem}\n{text}" for (op, problem), text in self.examples.items()]
        return "\n".join(lines)


Caller = Callable[[], Mapping[str, str]]


def callers(keys: Any, nip: str, unit: str = "BKD", *, fresh: bool = False) -> dict[str, Caller]:
    """Headers of each caller: nobody, then a token of each role (with a NIP and a unit);
    `fresh`: a new token for every call (a fuzzed sign-out must not silence the rest)."""
    made: dict[str, Caller] = {"anonymous": dict}
    for role in ROLES:

        def headers(role: str = role) -> Mapping[str, str]:
            return keys.headers(role, subject=f"fuzz-{role}", nip=nip, unit=unit)

        made[role] = headers if fresh else functools.partial(dict, headers())
    return made


def fuzz(
    app: Flask,
    headers: Mapping[str, Caller],
    *,
    openapi_path: str = "/openapi.json",
    max_examples: int = MAX_EXAMPLES,
) -> FuzzReport:
    """Fuzz every operation of the app's OpenAPI document, in process."""
    report = FuzzReport()
    schema = schemathesis.openapi.from_wsgi(openapi_path, app)
    for result in schema.get_all_operations():
        try:
            operation = result.ok()
        except Exception as exc:
            report.fail("(document)", "invalid operation", str(exc))
            continue
        report.operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz_operation(operation, mode, headers, max_examples, report)
    return report


def _fuzz_operation(
    operation: Any,
    mode: GenerationMode,
    headers: Mapping[str, Caller],
    max_examples: int,
    report: FuzzReport,
) -> None:
    @settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,  # the same cases on every run: CI fails for a reason, not by luck
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        report.cases += 1
        for caller, make_headers in headers.items():
            caller_headers = make_headers()
            report.calls += 1
            try:
                case.call_and_validate(headers=dict(caller_headers), checks=CHECKS)
            except BaseExceptionGroup as group:
                for failure in group.exceptions:
                    title = getattr(failure, "title", type(failure).__name__)
                    example = f"{failure}\n{case.as_curl_command(dict(caller_headers))}"
                    report.fail(operation.label, f"{title} ({caller})", example)
            except Exception as exc:  # a crash of the call itself is a finding too
                report.fail(operation.label, f"{type(exc).__name__} ({caller})", repr(exc))

    try:
        run()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            report.fail(operation.label, "no valid input can be generated", "")
        # Negative: nothing in the schema can be broken on the wire (e.g. a free-text path).
