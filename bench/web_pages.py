"""Server time of the web client's main pages under a small load, and the dossier with one
service down, through the real platform (`sofifi run`, every process, the real broker).

A unit of 30 staff under one supervisor is put on the roster and rated; an admin, the
supervisor and one employee sign in with their own accounts. `--clients` threads, each with its
own session, then fetch the main pages in turn; the server time of each page is read from the
gateway's access log (`duration_ms`), so the client's own time does not count. Then the dossier
JSON is fetched from a second gateway process on the same services whose training URL points at
a closed port (training down: connection refused), and with all services up; each call's server
time is set against its slowest part. Prints JSON.

    python -m bench.web_pages [--clients 4] [--rounds 25]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import urllib3

from bench._env import fresh_vhost
from bench._stats import percentile, process_cpu
from contracts.identifiers import make_nip

PASSWORD = "kopi-sofifi-2024"
TARGET_P95_MS = 200.0
TARGET_RATIO = 1.3
YEAR = date.today().year
STAFF = 30


class Browser:
    """One signed-in person: a session cookie and the CSRF token of the last form."""

    def __init__(self, base: str, http: urllib3.PoolManager) -> None:
        self.base, self.http, self.cookie = base, http, ""

    def get(self, path: str):
        response = self.http.request(
            "GET", self.base + path, headers={"Cookie": self.cookie}, redirect=False
        )
        self._keep(response)
        return response

    def sign_in(self, username: str) -> None:
        page = self.get("/masuk").data.decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = self.http.request(
            "POST",
            self.base + "/masuk",
            body=urlencode({"username": username, "password": PASSWORD, "csrf_token": token}),
            headers={"Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"},
            redirect=False,
        )
        self._keep(response)
        assert response.status == 302, response.data[:500]

    def _keep(self, response) -> None:
        for header in response.headers.getlist("Set-Cookie"):
            if header.startswith("sofifi_session="):
                self.cookie = header.split(";", 1)[0]


def person(sequence: int, supervisor: str | None) -> dict:
    birth = date(1960 + sequence % 25, 1 + sequence % 12, 10)
    return {
        "nip": make_nip(birth, 2008, 3, "M", sequence),
        "name": f"Pegawai {sequence}",
        "gender": "M",
        "birth_date": birth.isoformat(),
        "tmt_cpns": "2008-03-01",
        "status": "PNS",
        "unit": "BKD",
        "position": "Analis",
        "supervisor_nip": supervisor,
        "appointed_on": "2009-03-01",
    }


def seed(platform) -> dict[str, str]:
    """The unit, its ratings and the three accounts; returns NIPs by role."""
    admin = platform.keys.headers("admin")
    api = f"{platform.gateway}/api/v1"
    head = person(1, None)
    staff = [person(i, head["nip"]) for i in range(2, STAFF + 2)]
    for record in (head, *staff):
        code, body, _ = platform.call("POST", f"{api}/recruitment/employees", record, admin)
        assert code == 201, body
    for username, roles, nip in (
        ("bkd", ("admin",), None),
        ("kepala", ("supervisor", "employee"), head["nip"]),
        ("pegawai", ("employee",), staff[0]["nip"]),
    ):
        args = ["user", "create", "--username", username, "--password", PASSWORD, "--unit", "BKD"]
        for role in roles:
            args += ["--role", role]
        args += ["--nip", nip] if nip else []
        assert platform.sofifi(*args).returncode == 0
    deadline = time.monotonic() + 60
    while (
        platform.call("GET", f"{api}/appraisal/employees/{staff[-1]['nip']}", None, admin)[0] != 200
    ):
        assert time.monotonic() < deadline, "the roster never reached appraisal"
        time.sleep(0.5)
    platform.call("POST", f"{api}/appraisal/periods", {"year": YEAR, "kind": "ANNUAL"}, admin)
    boss = platform.keys.headers("supervisor", subject=head["nip"], nip=head["nip"])
    values = (
        "berorientasi_pelayanan",
        "akuntabel",
        "kompeten",
        "harmonis",
        "loyal",
        "adaptif",
        "kolaboratif",
    )
    for record in staff[:20]:
        nip = record["nip"]
        own = platform.keys.headers("employee", subject=nip, nip=nip)
        code, plan, _ = platform.call(
            "POST",
            f"{api}/appraisal/skp",
            {
                "nip": nip,
                "year": YEAR,
                "period": "ANNUAL",
                "items": [{"result": "Layanan", "indicator": "Persen", "target": "95%"}],
            },
            own,
        )
        assert code == 201, plan
        for who in (own, boss):
            platform.call("POST", f"{api}/appraisal/skp/{plan['id']}/agree", None, who)
        code, body, _ = platform.call(
            "PUT",
            f"{api}/appraisal/appraisals/{nip}/{YEAR}/ANNUAL",
            {
                "results_rating": "SESUAI",
                "behaviour_rating": "SESUAI",
                "behaviour_values": dict.fromkeys(values, "SESUAI"),
            },
            boss,
        )
        assert code == 200, body
    return {"head": head["nip"], "staff": staff[0]["nip"]}


def page_load(platform, nips: dict[str, str], clients: int, rounds: int) -> dict:
    """`clients` sessions fetching the main pages `rounds` times; server times from the log."""
    pages = {
        "bkd": [
            "/",
            "/pengguna",
            "/data-pegawai",
            f"/pegawai/{nips['staff']}",
            f"/unit/BKD?year={YEAR}",
            f"/kinerja/unit?unit=BKD&year={YEAR}",
            "/seleksi",
        ],
        "kepala": ["/tim", f"/pegawai/{nips['staff']}", f"/unit/BKD?year={YEAR}"],
        "pegawai": ["/saya", "/kinerja/skp/baru"],
    }
    http = urllib3.PoolManager(maxsize=clients * 2, timeout=urllib3.Timeout(total=30))
    errors: list[str] = []
    started = time.time()

    def client(index: int) -> None:
        username = list(pages)[index % len(pages)]
        browser = Browser(platform.gateway, http)
        browser.sign_in(username)
        for _ in range(rounds):
            for path in pages[username]:
                status = browser.get(path).status
                if status != 200:
                    errors.append(f"{path} {status}")

    cpu_before = sum(process_cpu(pid) for pid in gateway_pids(platform.process.pid))
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = sum(process_cpu(pid) for pid in gateway_pids(platform.process.pid)) - cpu_before
    time.sleep(1.5)  # the access log is flushed by the web processes
    by_page: dict[str, list[float]] = {}
    for line in platform.log_lines():
        if line.get("message") != "request" or line.get("method") != "GET":
            continue
        path = line.get("path", "")
        if path.startswith(("/api/", "/assets/", "/health", "/ready", "/metrics", "/masuk")):
            continue
        if line.get("service") == "gateway" and "duration_ms" in line:
            key = re.sub(r"\d{18}", "<nip>", path)
            by_page.setdefault(key, []).append(float(line["duration_ms"]))
    every = [ms for values in by_page.values() for ms in values]
    return {
        "clients": clients,
        "rounds": rounds,
        "requests": len(every),
        "errors": errors[:10],
        "wall_s": round(time.time() - started, 1),
        "p50_ms": round(statistics.median(every), 1),
        "p95_ms": round(percentile(every, 95), 1),
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": percentile(every, 95) < TARGET_P95_MS,
        "gateway_cpu_ms_per_page": round(1000 * cpu / max(len(every), 1), 1),
        "by_page_p95_ms": {k: round(percentile(v, 95), 1) for k, v in sorted(by_page.items())},
    }


def gateway_pids(platform_pid: int) -> list[int]:
    """The gateway's gunicorn processes (master and workers) of the platform `platform_pid`."""
    # `sofifi run` starts each web process in a session of its own: found by parentage.
    gunicorns: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"create_app('gateway')" in command:
            gunicorns[int(entry.name)] = int(fields[1])
    masters = {pid for pid, parent in gunicorns.items() if parent == platform_pid}
    return [pid for pid, parent in gunicorns.items() if pid in masters or parent in masters]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def dossier_times(platform, nip: str, calls: int, down: str | None) -> dict:
    """The dossier JSON `calls` times from a gateway that sees `down` as stopped (or none)."""
    env = dict(platform.env)
    port = free_port()
    env.update({"PORT": str(port), "WEB_CONCURRENCY": "1", "WEB_THREADS": "4"})
    if down:
        env[f"{down.upper()}_URL"] = f"http://127.0.0.1:{free_port()}"  # nothing listens
    log_path = Path(env["SOFIFI_VAR_DIR"]) / f"dossier-gateway-{port}.log"
    with log_path.open("w") as log_file:
        gateway = subprocess.Popen(
            [str(Path(sys.executable).parent / "sofifi"), "web", "gateway"],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    http = urllib3.PoolManager(timeout=urllib3.Timeout(total=30), retries=False)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if http.request("GET", base + "/ready").status == 200:
                    break
            except urllib3.exceptions.HTTPError:
                pass
            assert time.monotonic() < deadline, "the second gateway did not start"
            time.sleep(0.3)
        token = platform.keys.token("admin", subject="bench")
        rows = []
        for _ in range(calls):
            began = time.perf_counter()
            response = http.request(
                "GET",
                f"{base}/api/v1/dossier/{nip}?year={YEAR}",
                headers={"Authorization": f"Bearer {token}"},
            )
            total = (time.perf_counter() - began) * 1000
            body = json.loads(response.data)
            assert response.status == 200, body
            answered = [
                p["latency_ms"] for p in body["parts"].values() if p["status"] in ("ok", "empty")
            ]
            rows.append((total, max(answered), [m["part"] for m in body["missing"]]))
        time.sleep(1.0)  # the access log line of the last call
    finally:
        os.killpg(gateway.pid, signal.SIGTERM)
        gateway.wait(20)
    # Server time of each dossier call (the gateway's access log), in call order.
    server = [
        float(line["duration_ms"])
        for line in (
            json.loads(raw) for raw in log_path.read_text().splitlines() if raw.startswith("{")
        )
        if line.get("message") == "request" and "/dossier/" in line.get("path", "")
    ]
    assert len(server) == len(rows), (len(server), len(rows))
    totals = server
    slowest = [r[1] for r in rows]
    ratios = [t / r[1] for t, r in zip(totals, rows, strict=True)]
    return {
        "down": down,
        "calls": calls,
        "missing": rows[-1][2],
        "client_p50_ms": round(statistics.median(r[0] for r in rows), 1),
        "dossier_p50_ms": round(statistics.median(totals), 1),
        "slowest_part_p50_ms": round(statistics.median(slowest), 1),
        "ratio_p50": round(statistics.median(ratios), 2),
        "ratio_of_medians": round(statistics.median(totals) / statistics.median(slowest), 2),
        "target_ratio": TARGET_RATIO,
        "meets_target": statistics.median(totals) <= TARGET_RATIO * statistics.median(slowest),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--dossier-calls", type=int, default=100)
    args = parser.parse_args()
    # The test helpers start the platform exactly as the e2e tests do.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.e2e.conftest import running_platform

    amqp = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672//")
    # The platform helper prints its log when it stops: to stderr, so stdout stays JSON.
    with (
        contextlib.redirect_stdout(sys.stderr),
        tempfile.TemporaryDirectory() as folder,
        fresh_vhost(amqp) as vhost,
        running_platform(
            Path(folder), vhost, WEB_CONCURRENCY="2", WEB_THREADS="4", LOG_LEVEL="INFO"
        ) as platform,
    ):
        nips = seed(platform)
        figures = {
            "load_average_before": os.getloadavg()[0],
            "pages": page_load(platform, nips, args.clients, args.rounds),
            "dossier_all_up": dossier_times(platform, nips["staff"], args.dossier_calls, None),
            "dossier_training_down": dossier_times(
                platform, nips["staff"], args.dossier_calls, "training"
            ),
        }
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
