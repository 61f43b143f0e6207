"""Awards in the demo: Sofifi Berprestasi eligibility, decided by events from the finalized year.

Nothing is written here yet: eligibility follows `appraisal.appraisal.finalized`, so this step
waits for the decisions the run's finalizations cause. Programmes and nominations, when awards
offers them, add their steps to STEPS.
"""

from __future__ import annotations

from sofifi.demo.client import wait_for
from sofifi.demo.steps import Demo, Step

SERVICE = "awards"


def wait_for_eligibility(demo: Demo) -> None:
    """Wait until every appraisal finalized by this run has its eligibility decision."""
    expected = {rating.nip for rating in demo.seen.get("finalized", [])}
    if not expected:
        return
    year = demo.province.year

    def decided() -> list[dict] | None:
        items = demo.gateway.pages(f"/awards/eligibility/{year}", demo.admin)
        found = [item for item in items if item["nip"] in expected]
        return found if len(found) >= len(expected) else None

    found = wait_for("Sofifi Berprestasi eligibility", decided, demo.timeout)
    demo.count(SERVICE, "eligibility decisions by events", len(found))
    demo.detail(SERVICE, "eligible", sum(item["eligible"] for item in found))


STEPS = (Step(SERVICE, "eligibility, by events", wait_for_eligibility),)
