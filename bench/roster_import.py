"""Benchmark of the roster's CSV import on SQLite and PostgreSQL; prints its figures as JSON.

A synthetic staff file (valid NIPs, realistic statuses, a supervisor tree of secretary, unit
heads, division heads, section heads and staff, rows shuffled so that staff often come before
their supervisors) goes through the service's own import function (`roster_import`), the same
code the `POST /employees/import` view runs, on a fresh database of each backend:
- validation: reading and checking the whole file (dry run), rows/s;
- import: checking, inserting every employee and writing one outbox event per row, committed,
  rows/s, with the time spent in the outbox writes;
- peak RSS of the process that ran the case (each case runs in its own process).
PostgreSQL comes from DATABASE_URL (or postgresql://postgres@127.0.0.1:5432/postgres); the bench
makes a fresh database there and drops it after.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import multiprocessing as mp
import os
import random
import resource
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bench._env import about_machine, fresh_database
from chassis.db import make_engine
from chassis.uow import UnitOfWork
from contracts.identifiers import make_nip, nip_problem
from services.recruitment.roster import today_in_province
from services.recruitment.roster_import import COLUMNS

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
SECTIONS_PER_DIVISION, DIVISIONS_PER_UNIT = 3, 4
STAFF_PER_UNIT = 125  # a province of 5,000 has 40 units (dinas, badan, biro, RSUD)


# -- the synthetic province ----------------------------------------------------------------------


def _person(rng: random.Random, used: set[str], status: str | None = None) -> dict[str, Any]:
    """An employee with a valid, unused NIP that agrees with their record (officials: PNS)."""
    latest = 2015 if status == "PNS" else 2025
    while True:
        birth = date(1962, 1, 1) + timedelta(days=rng.randrange(365 * 30))
        year = rng.randint(birth.year + 19, max(birth.year + 19, latest))
        month = rng.randint(1, 12)
        gender = rng.choice("MF")
        nip = make_nip(birth, year, month, gender, rng.randint(1, 999))
        if nip not in used and nip_problem(nip) is None:
            used.add(nip)
            break
    tmt = date(year, month, 1)
    if status is None:
        recent = (today_in_province() - tmt).days < 400
        status = "CPNS" if recent else rng.choices(("PNS", "PPPK"), (88, 12))[0]
    return {
        "nip": nip,
        "name": f"Pegawai {len(used)}",
        "gender": gender,
        "birth_date": birth.isoformat(),
        "tmt_cpns": tmt.isoformat(),
        "status": status,
        "position": "Pelaksana",
    }


def province(rows: int, seed: int = 2026) -> list[dict[str, Any]]:
    """`rows` employees in units of about 125, each unit a tree under the provincial secretary."""
    rng = random.Random(seed)
    used: set[str] = set()
    secretary = {**_person(rng, used, "PNS"), "unit": "SETDA", "position": "Sekretaris Daerah"}
    staff = [{**secretary, "supervisor_nip": None}]
    units = max(1, round(rows / STAFF_PER_UNIT))
    for u in range(units):
        unit = f"U{u:03d}"
        size = (rows - 1) // units + (u < (rows - 1) % units)
        members: list[dict[str, Any]] = []
        head = {
            **_person(rng, used, "PNS"),
            "position": "Kepala",
            "supervisor_nip": secretary["nip"],
        }
        members.append(head)
        divisions = [
            {
                **_person(rng, used, "PNS"),
                "position": "Kepala Bidang",
                "supervisor_nip": head["nip"],
            }
            for _ in range(DIVISIONS_PER_UNIT)
        ]
        sections = [
            {**_person(rng, used, "PNS"), "position": "Kepala Seksi", "supervisor_nip": d["nip"]}
            for d in divisions
            for _ in range(SECTIONS_PER_DIVISION)
        ]
        members += divisions + sections
        while len(members) < size:
            boss = rng.choice(sections)
            members.append({**_person(rng, used), "supervisor_nip": boss["nip"]})
        staff += [{**m, "unit": unit} for m in members[:size]]
    rng.shuffle(staff)
    return staff[:rows]


def write_csv(staff: list[dict[str, Any]], path: Path) -> int:
    """Write the staff as the import expects it; returns the size in bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for person in staff:
        writer.writerow(["" if person[c] is None else person[c] for c in COLUMNS])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path.stat().st_size


# -- one case: one file on one database, in its own process --------------------------------------


def run_case(csv_path: str, url: str) -> dict[str, Any]:
    """Validate then import the file at `csv_path` into the (empty) database at `url`."""
    from services.recruitment import roster_import
    from services.recruitment.models import outbox

    payload = Path(csv_path).read_bytes()
    engine = make_engine(url)
    rss_before = peak_rss_mb()
    with Session(engine) as session:
        started = time.perf_counter()
        checked = roster_import.import_employees(UnitOfWork(session), payload, dry_run=True)
        validation = time.perf_counter() - started
        session.rollback()
    outbox_seconds = 0.0

    def timed(method: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            nonlocal outbox_seconds
            began = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                outbox_seconds += time.perf_counter() - began

        return wrapper

    for name in ("add", "add_many"):
        setattr(outbox, name, timed(getattr(outbox, name)))
    with Session(engine) as session:
        started = time.perf_counter()
        result = roster_import.import_employees(UnitOfWork(session, outbox), payload)
        session.commit()
        whole = time.perf_counter() - started
    engine.dispose()
    rows = result["imported"]
    assert rows == checked["rows"], (rows, checked)
    return {
        "rows": rows,
        "csv_mb": round(len(payload) / 2**20, 1),
        "validation_s": round(validation, 3),
        "validation_rows_per_s": round(rows / validation),
        "import_s": round(whole, 3),
        "import_rows_per_s": round(rows / whole),
        "outbox_s": round(outbox_seconds, 3),
        "outbox_share": round(outbox_seconds / whole, 2),
        "peak_rss_before_import_mb": round(rss_before, 1),
        "peak_rss_mb": peak_rss_mb(),
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB (VmHWM: unlike ru_maxrss, not inherited from
    the parent across the spawn)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _in_child(csv_path: str, url: str) -> dict[str, Any]:
    with mp.get_context("spawn").Pool(1, maxtasksperchild=1) as pool:
        return pool.apply(run_case, (csv_path, url))


def run(sizes: list[int], backends: list[str]) -> dict[str, Any]:
    """Every figure of this benchmark."""
    from services.recruitment.models import Base

    admin = os.environ.get("DATABASE_URL") or DEFAULT_POSTGRES
    figures: dict[str, Any] = {}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="roster-bench-") as folder:
        for size in sizes:
            path = Path(folder) / f"roster-{size}.csv"
            write_csv(province(size), path)
            for backend in backends:
                with ExitStack() as stack:
                    if backend == "sqlite":
                        url = f"sqlite:///{folder}/roster-{size}.db"
                        engine = make_engine(url)
                        Base.metadata.create_all(engine)
                        engine.dispose()
                    else:
                        url = stack.enter_context(fresh_database(admin, Base.metadata))
                    figures[f"{backend}_{size}"] = _in_child(str(path), url)
                print(f"{backend} {size}: done", file=sys.stderr, flush=True)
    return {
        "benchmark": "roster_import",
        "machine": about_machine(load_before),
        **figures,
    }


def main(argv: list[str] | None = None) -> None:
    """Run the roster import benchmark and print its figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 100_000])
    parser.add_argument(
        "--backends", nargs="+", choices=("sqlite", "postgres"), default=["sqlite", "postgres"]
    )
    args = parser.parse_args(argv)
    print(json.dumps(run(args.sizes, args.backends), indent=2))


if __name__ == "__main__":
    main()
