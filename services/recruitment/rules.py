"""Pure rules of the roster, each naming the regulation it comes from (no I/O here)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from contracts.identifiers import nip_parts

# PP 11/2017 (Manajemen PNS), as amended by PP 17/2020: a CPNS serves one year of probation
# (masa percobaan) from TMT CPNS before being appointed PNS.
PROBATION_YEARS = 1
# Longest chain of supervisors walked when looking for a loop; a province has far fewer levels.
MAX_SUPERVISION_DEPTH = 64


def nip_disagreements(nip: str, *, birth_date: date, gender: str, tmt_cpns: date) -> dict[str, str]:
    """Fields that disagree with the parts of a valid NIP (BKN: YYYYMMDD + YYYYMM + G + NNN)."""
    parts = nip_parts(nip)
    problems: dict[str, str] = {}
    if parts["birth_date"] != birth_date:
        problems["birth_date"] = (
            f"The NIP's digits 1-8 say the birth date is {parts['birth_date']:%Y-%m-%d}."
        )
    if parts["gender"] != gender:
        problems["gender"] = f"The NIP's digit 15 says the gender is {parts['gender']}."
    year, month = parts["tmt_cpns"]  # type: ignore[misc]
    if (tmt_cpns.year, tmt_cpns.month) != (year, month):
        problems["tmt_cpns"] = f"The NIP's digits 9-14 say TMT CPNS is in {year:04d}-{month:02d}."
    return problems


def supervisor_problem(nip: str, supervisor_nip: str | None) -> str | None:
    """Why `supervisor_nip` cannot supervise `nip` (PermenPAN-RB 6/2022: the appraiser is
    another official, the direct superior), or None."""
    if supervisor_nip is not None and supervisor_nip == nip:
        return "An employee cannot be their own supervisor."
    return None


def supervision_loop_problem(nip: str, chain_above: Sequence[str]) -> str | None:
    """Why a supervisor whose chain of superiors is `chain_above` (the supervisor first) would
    make a loop over `nip`, or None: each appraiser's own superior hears objections
    (PermenPAN-RB 6/2022), so the chain must end."""
    if nip in chain_above:
        return "This supervisor reports, directly or through others, to this employee."
    if len(chain_above) > MAX_SUPERVISION_DEPTH:
        return f"The chain of supervisors is longer than {MAX_SUPERVISION_DEPTH} levels."
    return None


def probation_ends(tmt_cpns: date) -> date:
    """The first day a CPNS may be appointed PNS (PP 11/2017: one year of probation)."""
    try:
        return tmt_cpns.replace(year=tmt_cpns.year + PROBATION_YEARS)
    except ValueError:  # 29 February
        return date(tmt_cpns.year + PROBATION_YEARS, 3, 1)


def status_change_problem(old: str, new: str, *, tmt_cpns: date, today: date) -> str | None:
    """Why the status cannot change from `old` to `new`, or None.

    PP 11/2017: a CPNS becomes PNS after the probation year; nobody goes back to CPNS.
    UU 20/2023 and PP 49/2018: a PPPK is on contract and becomes PNS only through a CPNS
    selection, which gives a new NIP, so no change of status turns one into the other.
    """
    if old == new:
        return None
    if old == "CPNS" and new == "PNS":
        ends = probation_ends(tmt_cpns)
        if today < ends:
            return f"A CPNS can be appointed PNS after one year of probation, from {ends}."
        return None
    if "PPPK" in (old, new):
        return "A PPPK and a PNS/CPNS are different appointments with different NIPs."
    return f"A {old} cannot become {new}."


def status_plausibility_problem(status: str, *, tmt_cpns: date, today: date) -> str | None:
    """Why an employee with this TMT CPNS cannot hold `status` today, or None.

    PP 11/2017: nobody is PNS before the probation year from TMT CPNS has passed. This holds
    whatever the way the status was reached (import, entry or correction).
    """
    ends = probation_ends(tmt_cpns)
    if status == "PNS" and today < ends:
        return f"A PNS has served one year of probation; with this TMT CPNS it ends on {ends}."
    return None


def supervision_tree(
    supervisor_of: Mapping[str, str | None],
) -> tuple[dict[str, int], list[list[str]]]:
    """Depth of each NIP in a set of new supervision links, and the loops among them.

    `supervisor_of` maps each new employee to their supervisor; None, or someone outside the
    mapping (already on the roster), ends the chain at depth 0. PermenPAN-RB 6/2022: each
    appraiser's superior hears objections, so a chain must end: every loop is returned once as
    the NIPs on it, and those on or below a loop get depth -1. Linear: each NIP is walked once.
    """
    depth: dict[str, int] = {}
    loops: list[list[str]] = []
    for start in supervisor_of:
        path: list[str] = []
        on_path: dict[str, int] = {}
        current: str | None = start
        while current in supervisor_of and current not in depth and current not in on_path:
            on_path[current] = len(path)
            path.append(current)
            current = supervisor_of[current]
        if current in on_path:  # walked into its own path: a new loop
            loop = path[on_path[current] :]
            loops.append(loop)
            depth.update(dict.fromkeys(loop, -1))
            path, endless, level = path[: on_path[current]], True, -1
        elif current in depth:
            level = depth[current]
            endless = level < 0
        else:
            endless, level = False, -1
        for nip in reversed(path):
            level = -1 if endless else level + 1
            depth[nip] = level
    return depth, loops


def sanction_problems(
    *, decided_on: date, effective_from: date, effective_until: date | None, today: date
) -> dict[str, str]:
    """Fields of a disciplinary sanction (PP 94/2021) that cannot be, with why."""
    problems: dict[str, str] = {}
    if decided_on > today:
        problems["decided_on"] = "A sanction is recorded once decided; this date is in the future."
    if effective_from < decided_on:
        # PP 94/2021: the sanction takes effect from the decision; it does not act retroactively.
        problems["effective_from"] = "A sanction cannot take effect before it is decided."
    if effective_until is not None and effective_until < effective_from:
        problems["effective_until"] = "The sanction cannot end before it takes effect."
    return problems


def unpaid_leave_problems(
    start: date,
    end: date | None,
    *,
    tmt_cpns: date,
    taken: Sequence[tuple[date, date | None]],
) -> dict[str, str]:
    """Fields of a new period of unpaid leave (CLTN, PP 11/2017) that cannot be, with why.

    A CLTN interrupts service, so it lies within it (not before TMT CPNS) and periods of one
    employee never overlap; `end` None means the leave is still running.
    """
    problems: dict[str, str] = {}
    if start < tmt_cpns:
        problems["start"] = f"Unpaid leave cannot start before TMT CPNS ({tmt_cpns})."
    if end is not None and end < start:
        problems["end"] = "The leave cannot end before it starts."
        return problems
    for other_start, other_end in taken:
        if _periods_overlap(start, end, other_start, other_end):
            until = other_end.isoformat() if other_end else "open-ended"
            problems["start"] = f"Overlaps the unpaid leave {other_start} to {until}."
            break
    return problems


def _periods_overlap(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    return (b_end is None or a_start <= b_end) and (a_end is None or b_start <= a_end)


def latsar_problem(old: str, new: str, *, latsar_passed: bool) -> str | None:
    """Why a CPNS cannot be appointed PNS for want of Latsar, or None.

    PP 11/2017 as amended by PP 17/2020 and Peraturan LAN 1/2021: a CPNS is appointed PNS only
    after passing basic training (Latsar) during probation. A correction of a wrongly entered
    status is not a change of status and is not held to this.
    """
    if old == "CPNS" and new == "PNS" and not latsar_passed:
        return (
            "A CPNS is appointed PNS only after passing Latsar; no Latsar completion for this "
            "NIP has been received from training."
        )
    return None
