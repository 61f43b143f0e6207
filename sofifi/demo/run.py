"""`sofifi demo`: check the platform, refuse foreign data, run every service's steps, summarise."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import date

import urllib3

from sofifi import registry
from sofifi.demo import accounts, appraisal, awards, feedback, guard, recruitment, training
from sofifi.demo.client import DemoError, Gateway, Tokens
from sofifi.demo.province import generate
from sofifi.demo.steps import Demo

# Accounts first (a failure later still leaves a platform one can log in to), then the roster
# and the selection, the appraisal that needs the roster, and what follows it by events; then
# training's catalogue and enrolments (from those needs), the awards programme (from that
# eligibility) and feedback, which needs only the roster.
STEPS = (
    *accounts.STEPS,
    *recruitment.STEPS,
    *appraisal.STEPS,
    awards.ELIGIBILITY,
    *training.STEPS,
    *awards.STEPS,
    *feedback.STEPS,
)
EXIT_OK, EXIT_FAILED, EXIT_REFUSED = 0, 1, 2


def run_demo(
    *, size: int, seed: int, year: int | None, gateway_url: str | None, force: bool,
    timeout: float, as_json: bool = False, say: Callable[[str], None] = print,
) -> int:  # fmt: skip
    """Load the demo into the running platform; the process exit code."""
    settings = registry.settings("gateway")
    year = year or date.today().year - 1
    gateway = Gateway(gateway_url or f"http://127.0.0.1:{settings.port}")
    started = time.monotonic()
    try:
        gateway.check_running()
        demo = Demo(
            gateway,
            Tokens(settings),
            generate(seed, size, year),
            settings,
            timeout=timeout,
            say=say,
        )
        if not as_json:
            say(
                f"sofifi demo: seed {seed}, {size} people, appraisal year {year}, CPNS "
                f"selection {year + 1}, through {gateway.url}"
            )
        foreign = guard.foreign_data(demo)
        if foreign and not force:
            say("Refused: this platform holds data that is not this demo's:")
            for line in foreign:
                say(f"  - {line}")
            say(
                "The demo adds fictional people and ratings beside real ones; use a fresh "
                "platform (another SOFIFI_VAR_DIR), the same --seed/--size/--year as before, "
                "or --force to add it anyway."
            )
            return EXIT_REFUSED
        for step in STEPS:
            begun = time.monotonic()
            step.run(demo)
            took = time.monotonic() - begun
            demo.seen.setdefault("steps", []).append((step.service, step.title, took))
            if not as_json:
                say(f"  {step.service}: {step.title} ({took:.1f} s)")
    except DemoError as exc:
        say(f"sofifi demo stopped: {exc}")
        return EXIT_FAILED
    except urllib3.exceptions.HTTPError as exc:
        say(
            f"sofifi demo stopped: the platform at {gateway.url} stopped answering ({exc}); "
            "once it runs again, run `sofifi demo` again: it goes on from where it was"
        )
        return EXIT_FAILED
    seconds = time.monotonic() - started
    if as_json:
        say(json.dumps(report(demo, seconds), ensure_ascii=False))
    else:
        summarise(demo, seconds)
    return EXIT_FAILED if demo.problems else EXIT_OK


def report(demo: Demo, seconds: float) -> dict:
    """The summary as data: counts per service, seconds (and per step), problems, accounts."""
    created: dict[str, dict[str, int]] = {step.service: {} for step in STEPS}
    details: dict[str, dict[str, int]] = {}
    for (service, what), number in demo.created.items():
        if number:
            created[service][what] = number
    for (service, what), number in demo.details.items():
        details.setdefault(service, {})[what] = number
    return {
        "gateway": demo.gateway.url,
        "seed": demo.province.seed,
        "size": demo.province.size,
        "year": demo.province.year,
        "seconds": round(seconds, 2),
        "created": created,
        "details": details,
        "total": sum(demo.created.values()),
        "steps": [
            {"service": service, "step": title, "seconds": round(took, 2)}
            for service, title, took in demo.seen.get("steps", [])
        ],
        "problems": demo.problems,
        "hints": demo.seen.get("hints", []),
        "accounts": [
            {
                "username": a.username,
                "password": a.password,
                "roles": list(a.roles),
                "nip": a.nip,
                "unit": a.unit,
                "who": a.who,
            }
            for a in demo.seen.get("accounts", [])
        ],
    }


def summarise(demo: Demo, seconds: float) -> None:
    """Counts per service, the time taken, the problems, and the accounts with passwords."""
    say = demo.say
    say("")
    services = dict.fromkeys(step.service for step in STEPS)
    for service in services:
        counts = [(what, n) for (name, what), n in demo.created.items() if name == service and n]
        listed = ", ".join(f"{n} {what}" for what, n in counts) or "0 created"
        details = [f"{n} {what}" for (name, what), n in demo.details.items() if name == service]
        say(f"{service:>12}: {listed}" + (f" ({', '.join(details)})" if details else ""))
    total = sum(demo.created.values())
    say(f"{total} created in {seconds:.1f} s" + (" (it was all there)" if not total else ""))
    for problem in demo.problems:
        say(f"problem: {problem}")
    say("")
    say("Accounts (log in with POST /api/v1/auth/token {username, password}):")
    for account in demo.seen.get("accounts", []):
        scope = " ".join(filter(None, (account.nip and f"NIP {account.nip}", account.unit)))
        say(
            f"  {account.username:<24} {account.password}  {','.join(account.roles):<19} "
            f"{account.who}{f' ({scope})' if scope else ''}"
        )
    hints = demo.seen.get("hints", [])
    if hints:
        say("To try:")
        for hint in hints:
            say(f"  - {hint}")
    say(f"API docs: {demo.gateway.url}/api/v1/docs")
