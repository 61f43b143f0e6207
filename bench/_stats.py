"""Percentiles and CPU accounting shared by the benchmarks."""

from __future__ import annotations

import os
import statistics
from collections.abc import Iterable
from pathlib import Path
from typing import Any

_TICK = os.sysconf("SC_CLK_TCK")
# Server processes whose CPU a pipeline run also spends, by their command name.
SERVERS = {"postgres": "postgresql", "beam.smp": "rabbitmq"}


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def lag_figures(lags: list[float], target_p99_ms: float) -> dict[str, Any]:
    """p50/p95/p99/max of lags in ms, against the p99 target."""
    if not lags:
        return {"samples": 0}
    p99 = percentile(lags, 99)
    return {
        "samples": len(lags),
        "p50_ms": round(statistics.median(lags), 1),
        "p95_ms": round(percentile(lags, 95), 1),
        "p99_ms": round(p99, 1),
        "max_ms": round(max(lags), 1),
        "target_p99_ms": target_p99_ms,
        "meets_target": p99 < target_p99_ms,
    }


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def server_cpu(databases: Iterable[str] = (), exclude: Iterable[int] = ()) -> dict[str, float]:
    """CPU seconds of the PostgreSQL and RabbitMQ processes on the machine, by server.

    With `databases`, PostgreSQL backends serving other databases (other work on the machine)
    are left out; its shared processes (WAL writer, checkpointer) are counted apart. Processes
    in `exclude` are left out too.
    """
    names, skip = tuple(databases), set(exclude)
    totals = {"postgresql": 0.0, "postgresql_shared": 0.0, "rabbitmq": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in skip:
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            args = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if comm not in SERVERS:
            continue
        server = SERVERS[comm]
        if server == "rabbitmq" and "-s rabbit boot" not in args:
            continue  # a rabbitmqctl run (anyone's): short-lived, not the broker
        if server == "postgresql" and names:
            if any(name in args for name in names):
                pass
            elif "(" in args:  # a client backend of another database
                continue
            else:
                server = "postgresql_shared"
        totals[server] += process_cpu(int(entry.name))
    return totals


def machine_busy() -> float:
    """CPU seconds spent by the whole machine (every core) so far, idle and I/O wait excluded."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / _TICK


def cpu_seconds(
    pids: dict[str, int],
    databases: Iterable[str] = (),
    extra: Iterable[tuple[str, float]] = (),
    exclude: Iterable[int] = (),
) -> dict[str, float]:
    """CPU seconds of the named processes and of the servers (our databases' backends)."""
    own = {name: process_cpu(pid) for name, pid in pids.items()}
    return {**own, **server_cpu(databases, exclude), **dict(extra)}
