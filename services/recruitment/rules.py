"""Pure rules of the roster, each naming the regulation it comes from (no I/O here)."""

from __future__ import annotations

from collections.abc import Sequence
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
