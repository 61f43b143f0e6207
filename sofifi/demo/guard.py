"""What the platform holds already, and the refusal to mix the demo into someone's real data."""

from __future__ import annotations

from sofifi.demo.recruitment import FORMATIONS, formation_code, selection_year
from sofifi.demo.steps import Demo

EXAMPLES = 3


def foreign_data(demo: Demo) -> list[str]:
    """What the platform holds that this demo (seed, size, year) would not have made."""
    roster = demo.gateway.pages("/recruitment/employees", demo.admin)
    demo.seen["roster_nips"] = {employee["nip"] for employee in roster}
    ours = demo.province.nips
    strangers = [employee for employee in roster if employee["nip"] not in ours]
    found = []
    if strangers:
        examples = ", ".join(f"{e['nip']} {e['name']}" for e in strangers[:EXAMPLES])
        found.append(f"{len(strangers)} employee(s) on the roster are not the demo's ({examples})")
    year = selection_year(demo)
    codes = {formation_code(year, unit) for unit, *_ in FORMATIONS}
    formations = demo.gateway.pages("/recruitment/formations", demo.admin, year=year)
    others = [f["code"] for f in formations if f["code"] not in codes]
    if others:
        listed = ", ".join(others[:EXAMPLES])
        found.append(f"{len(others)} formation(s) of {year} are not the demo's ({listed})")
    return found
