"""The peer of the pipeline benchmark: Nameko 2.14 carrying the same events (issue 14).

What a Nameko user would write: a dispatcher publishing with nameko's own `event_dispatcher`
(the standalone `EventDispatcher`: persistent messages, publisher confirms, nameko's defaults)
from a pool of green threads as a nameko service's workers would, and two services, each its
own process with an `@event_handler`, recording each event in its own SQLite database with
INSERT OR IGNORE (WAL, synchronous=NORMAL: the settings a user tuning SQLite picks). No outbox,
no inbox, no dead letters. The events are the benchmark's own finalized appraisals.

Nameko's pins conflict with ours, so it runs from its own virtual environment, built on first
use under var/bench/nameko-venv (python -m venv + pip install of the pinned versions); nothing
of it is imported here: the scripts below run in that environment.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench._stats import process_cpu

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "var" / "bench" / "nameko-venv"
PINS = ("nameko==2.14.1", "eventlet==0.33.3", "kombu==5.3.7", "amqp==5.2.0")
PEERS = ("awards", "training")
SOURCE = "appraisal"
EVENT_TYPE = "appraisal_finalized"

_SERVICE = r"""
import os, signal, sqlite3, sys, time
import eventlet
eventlet.monkey_patch()
from nameko.events import event_handler
from nameko.runners import ServiceRunner

NAME, DB, AMQP, READY = sys.argv[1:5]


def connect():
    db = sqlite3.connect(DB)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


db = connect()
db.execute(
    "CREATE TABLE IF NOT EXISTS handled (event_id TEXT PRIMARY KEY, appraisal_id TEXT NOT NULL,"
    " predikat TEXT NOT NULL, handled_at REAL NOT NULL)"
)
db.commit()


class Peer:
    name = NAME

    @event_handler("appraisal", "appraisal_finalized")
    def handle(self, payload):
        db.execute(
            "INSERT OR IGNORE INTO handled VALUES (?, ?, ?, ?)",
            (payload["event_id"], payload["data"]["appraisal_id"], payload["data"]["predikat"],
             time.time()),
        )
        db.commit()


runner = ServiceRunner({"AMQP_URI": AMQP})
runner.add_service(Peer)
runner.start()
open(READY, "w").close()
stop = eventlet.event.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.send())
stop.wait()
runner.stop()
"""

_DISPATCHER = r"""
import json, sys, time
import eventlet
eventlet.monkey_patch()
from nameko.standalone.events import event_dispatcher

AMQP, EVENTS, GO, POOL = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
payloads = [json.loads(line) for line in open(EVENTS)]
dispatch = event_dispatcher({"AMQP_URI": AMQP})
dispatch("appraisal", "warm_up", {})  # connected before the clock starts
pool = eventlet.GreenPool(POOL)
failed = []


def send(payload):
    try:
        dispatch("appraisal", "appraisal_finalized", payload)
    except Exception as exc:  # no outbox: the event is lost
        failed.append(repr(exc)[:200])


started = time.time()
for payload in payloads:
    pool.spawn_n(send, payload)
pool.waitall()
cpu = sum(__import__("os").times()[:2])
with open(GO, "w") as out:
    json.dump({"started": started, "dispatched": time.time(), "cpu": cpu,
               "failed": len(failed), "errors": failed[:3]}, out)
"""


def venv_python() -> Path:
    """The Nameko environment's interpreter, built (once) with the pinned versions."""
    python = VENV / "bin" / "python"
    marker = VENV / "pins.txt"
    if python.exists() and marker.exists() and marker.read_text() == "\n".join(PINS):
        return python
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *PINS],
        check=True,
        stdout=sys.stderr,
    )
    marker.write_text("\n".join(PINS))
    return python


def _count(path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("SELECT count(*) FROM handled").fetchone()[0]
    except sqlite3.Error:
        return 0


def run_peer(amqp_url: str, events: list[dict[str, Any]], workdir: str, pool: int = 10):
    """Dispatch `events` (envelopes) through Nameko to both peers; its figures.

    The rate runs from the first dispatch to the moment both SQLite databases hold every event.
    """
    python = venv_python()
    work = Path(workdir)
    (work / "service.py").write_text(_SERVICE)
    (work / "dispatcher.py").write_text(_DISPATCHER)
    events_path = work / "events.jsonl"
    with events_path.open("w") as out:
        for envelope in events:
            out.write(json.dumps(envelope) + "\n")
    services = {}
    try:
        for name in PEERS:
            ready = work / f"{name}.ready"
            log = (work / f"{name}.log").open("w")
            args = [str(python), str(work / "service.py"), name, str(work / f"{name}.db")]
            services[name] = subprocess.Popen(
                [*args, amqp_url, str(ready)], stdout=log, stderr=subprocess.STDOUT
            )
            deadline = time.time() + 60
            while not ready.exists():
                if time.time() > deadline or services[name].poll() is not None:
                    raise RuntimeError(f"the nameko {name} service did not start")
                time.sleep(0.05)
        time.sleep(1.0)  # its queue is declared and consumed
        cpu_before = {name: process_cpu(p.pid) for name, p in services.items()}
        go = work / "dispatched.json"
        dispatcher = subprocess.Popen(
            [str(python), str(work / "dispatcher.py"), amqp_url, str(events_path), str(go),
             str(pool)],
            stdout=subprocess.DEVNULL,
            stderr=(work / "dispatcher.log").open("w"),
        )  # fmt: skip
        n = len(events)
        deadline = time.time() + 900
        last, moved = None, time.time()
        while True:
            counts = [_count(work / f"{name}.db") for name in PEERS]
            now = time.time()
            if min(counts) >= n:
                break
            if counts != last:
                last, moved = counts, now
            # Done dispatching and nothing arrives any more: events were lost (a dispatch that
            # failed, e.g. while the broker restarted, is gone: there is no outbox).
            stalled = dispatcher.poll() is not None and now - moved > 20
            if now > deadline or stalled or dispatcher.poll() not in (None, 0):
                dispatched = json.loads(go.read_text()) if go.exists() else {}
                raise RuntimeError(
                    f"nameko peer: only {counts} of {n} handled; dispatch failures: "
                    f"{dispatched.get('failed')} {dispatched.get('errors')}"
                )
            time.sleep(0.01 if min(counts) >= n * 0.97 else 0.1)
        dispatcher.wait(60)
        timing = json.loads(go.read_text())
        cpu = {
            f"nameko_{name}": round((process_cpu(p.pid) - cpu_before[name]) / n * 1e6)
            for name, p in services.items()
        }
        cpu["nameko_dispatcher"] = round(timing["cpu"] / n * 1e6)
    finally:
        for process in services.values():
            process.send_signal(signal.SIGTERM)
        for process in services.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
    seconds = now - timing["started"]
    return {
        "client": "nameko 2.14.1 (eventlet), standalone event_dispatcher with confirms, "
        f"{pool} green threads; 2 services with @event_handler, SQLite INSERT OR IGNORE "
        "(WAL, synchronous=NORMAL), commit per event",
        "events": n,
        "events_per_s": round(n / seconds),
        "seconds": round(seconds, 2),
        "dispatch_per_s": round(n / (timing["dispatched"] - timing["started"])),
        "cpu_us_per_event": cpu,
        "python": os.path.basename(str(python)),
    }
