"""Finalized appraisals and the roster they refer to, as the pipeline benchmark writes them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

from chassis.bus import Event
from chassis.db import make_engine
from chassis.logs import correlation_scope
from chassis.service import ServiceSpec
from contracts.appraisal import BERAKHLAK_VALUES
from contracts.identifiers import make_nip

FINALIZED = "appraisal.appraisal.finalized"
APPOINTED = "recruitment.employee.appointed"
EMPLOYEES = 1000

# (results, behaviour, predikat) from the PermenPAN-RB 6/2022 matrix, in a province-like mix:
# most BAIK, some SANGAT_BAIK, a few below expectations (which make training needs).
_RATINGS = (
    *[("SESUAI", "SESUAI", "BAIK")] * 12,
    *[("DI_ATAS", "DI_ATAS", "SANGAT_BAIK")] * 4,
    ("DI_ATAS", "SESUAI", "BAIK"),
    ("DI_BAWAH", "SESUAI", "BUTUH_PERBAIKAN"),
    ("SESUAI", "DI_BAWAH", "KURANG"),
    ("DI_BAWAH", "DI_BAWAH", "SANGAT_KURANG"),
)


def birth_of(n: int) -> date:
    """The birth date of the n-th employee."""
    return date(1970, 1, 1) + timedelta(days=n % 5000)


def nip_of(n: int) -> str:
    """A valid NIP for the n-th employee (distinct for n below 5,000)."""
    return make_nip(birth_of(n), 2005 + n % 15, 1 + n % 12, "MF"[n % 2], 1 + n % 999)


def appointed(n: int) -> dict[str, Any]:
    """The data of `recruitment.employee.appointed` for the n-th employee."""
    return {
        "nip": nip_of(n),
        "name": f"Pegawai {n}",
        "gender": "MF"[n % 2],
        "birth_date": birth_of(n).isoformat(),
        "tmt_cpns": f"{2005 + n % 15}-{1 + n % 12:02d}-01",
        "status": "PNS",
        "unit": f"UNIT-{n % 20:02d}",
        "position": "Analis SDM Aparatur",
        "supervisor_nip": nip_of(EMPLOYEES + n % 50),
        "appointed_on": f"{2005 + n % 15}-{1 + n % 12:02d}-01",
    }


def finalized(n: int, prefix: str) -> dict[str, Any]:
    """The n-th finalized annual appraisal: a distinct (employee, year) for every n."""
    employee = n % EMPLOYEES
    results, behaviour, predikat = _RATINGS[n % len(_RATINGS)]
    # Behaviour below expectations shows in a few values; now and then one value is weak alone.
    values = dict.fromkeys(BERAKHLAK_VALUES, "SESUAI" if behaviour == "DI_BAWAH" else behaviour)
    weak = BERAKHLAK_VALUES[n % 7 :][:3] if behaviour == "DI_BAWAH" else ()
    if behaviour == "SESUAI" and n % 7 == 0:
        weak = ("kolaboratif",)
    values.update(dict.fromkeys(weak, "DI_BAWAH"))
    return {
        "appraisal_id": f"{prefix}-{n}",
        "nip": nip_of(employee),
        "unit": f"UNIT-{employee % 20:02d}",
        "appraiser_nip": nip_of(EMPLOYEES + employee % 50),
        "year": 1960 + n // EMPLOYEES,
        "period": "ANNUAL",
        "results_rating": results,
        "behaviour_rating": behaviour,
        "behaviour_values": values,
        "predikat": predikat,
        "finalized_at": datetime.now(UTC).isoformat(),
    }


def seed_roster(spec: ServiceSpec, url: str, count: int = EMPLOYEES) -> None:
    """The roster as a consumer learns it: `count` appointed events through its own handler."""
    handler = spec.handlers.get(APPOINTED)
    if handler is None:
        return
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        for n in range(count):
            handler(session, Event(APPOINTED, appointed(n), "recruitment", f"seed-{n}"))
    engine.dispose()


def write_finalized(
    spec: ServiceSpec,
    url: str,
    numbers: range,
    per_transaction: int,
    prefix: str,
    rate: float = 0.0,
    started=None,
    before_close: Callable[[Engine, list[int]], None] | None = None,
    many: bool = False,
    concurrency: int = 1,
) -> None:
    """Finalize appraisals through the publisher's outbox, `per_transaction` per transaction.

    Each transaction is one request (one correlation id), as finalizing a unit's year is; with
    `rate` the transactions are paced to that many events per second. With `many` the events of
    a transaction of several go in with one `outbox.add_many` (as calibration.finalize adds a
    unit's year) instead of one `add` each; a lone event always takes `add` (as
    ratings.finalize does). With `concurrency` that many requests run at once (threads, each
    its own connection), as a web service's workers do; `before_close` gets the backends' pids.
    """
    engine = make_engine(url, pool_size=max(concurrency, 1))
    backends: list[int] = []
    event.listen(engine, "connect", lambda dbapi, _r: backends.append(dbapi.info.backend_pid))
    connections = [engine.connect() for _ in range(concurrency)]
    for connection in connections:
        connection.close()  # connected before the clock starts
    if started is not None:
        started.value = time.time()
    clock = time.perf_counter()
    first = numbers.start
    starts = range(numbers.start, numbers.stop, per_transaction)

    def write(mine: range) -> None:
        for start in mine:
            if rate:
                delay = clock + (start - first) / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            with correlation_scope(None), Session(engine) as session, session.begin():
                chunk = range(start, min(start + per_transaction, numbers.stop))
                if many and len(chunk) > 1:
                    items = [(finalized(n, prefix), None) for n in chunk]
                    spec.outbox.add_many(session, FINALIZED, items)
                else:
                    for n in chunk:
                        spec.outbox.add(session, FINALIZED, finalized(n, prefix))

    threads = [
        threading.Thread(target=write, args=(starts[index::concurrency],))
        for index in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if before_close is not None:
        before_close(engine, backends)
    engine.dispose()


def backend_pid(engine: Engine) -> int:
    """The PostgreSQL backend process of the engine's (one) pooled connection."""
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
