"""Training in the demo: the needs that finalized appraisals and CPNS appointments cause.

Nothing is written here yet: needs follow `appraisal.appraisal.finalized` (development, BerAKHLAK
competencies) and `recruitment.employee.appointed` (Latsar for a CPNS), so this step waits for
those the run caused. The catalogue, enrolments and the JP ledger add their steps to STEPS.
"""

from __future__ import annotations

from sofifi.demo.client import wait_for
from sofifi.demo.steps import Demo, Step

SERVICE = "training"
PAGE = 500


def needs(demo: Demo, **query: object) -> list[dict]:
    """Every training need matching `query` (the list is paged by flask-smorest)."""
    found: list[dict] = []
    params = "".join(f"&{key}={value}" for key, value in query.items())
    page = 1
    while True:
        answer = demo.gateway.call(
            "GET", f"/training/needs?page={page}&page_size={PAGE}{params}", demo.admin
        )
        items = answer.expect(200)
        found += items
        if len(items) < PAGE:
            return found
        page += 1


def wait_for_needs(demo: Demo) -> None:
    """Wait for the needs this run's appraisals and CPNS appointments must have caused."""
    finalized = demo.seen.get("finalized", [])
    from_appraisals = sum(rating.needs() for rating in finalized)
    rated = {rating.nip for rating in finalized}
    cpns = demo.seen.get("latsar_expected", 0)
    year = demo.province.year

    def arrived() -> tuple[int, int] | None:
        development = [n for n in needs(demo, year=year + 1) if n["source"] == "APPRAISAL"]
        ours = sum(need["nip"] in rated for need in development)
        latsar = len(needs(demo, year=year, kind="LATSAR")) if cpns else 0
        return (ours, latsar) if ours >= from_appraisals and latsar >= cpns else None

    if not from_appraisals and not cpns:
        return
    wait_for("training needs", arrived, demo.timeout)
    demo.count(SERVICE, "needs from appraisals by events", from_appraisals)
    demo.count(SERVICE, "Latsar needs of new CPNS by events", cpns)


STEPS = (Step(SERVICE, "needs, by events", wait_for_needs),)
