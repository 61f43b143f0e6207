"""Issue 15: every mode of `sofifi run` stops within a few seconds of SIGINT or SIGTERM, every
process of it; a start that cannot bind its ports fails at once and says why."""

from __future__ import annotations

import signal
import socket
import subprocess
import time

import psutil
import pytest

from .conftest import SOFIFI, free_ports, running_platform

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# Containers get 10 s between SIGTERM and SIGKILL.
STOP_BUDGET_S = 10.0


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("mode", ["broker", "memory"])
def test_every_process_exits_promptly_after_a_stop_signal(
    request, tmp_path, mode, signum, record_property
):
    amqp_url = request.getfixturevalue("amqp_url") if mode == "broker" else None
    with running_platform(tmp_path, amqp_url) as platform:
        root = psutil.Process(platform.process.pid)
        processes = [root, *root.children(recursive=True)]
        # The supervisor and its 11 children (and gunicorn's workers), or one process alone.
        assert len(processes) >= (1 + 11 if mode == "broker" else 1)
        began = time.monotonic()
        platform.process.send_signal(signum)
        platform.process.wait(30)
        supervisor_s = time.monotonic() - began
        _gone, alive = psutil.wait_procs(processes, timeout=STOP_BUDGET_S)
        all_s = time.monotonic() - began
    record_property("stop_seconds", round(all_s, 2))
    print(
        f"{mode} {signum.name}: supervisor {supervisor_s:.2f} s, all {len(processes)} {all_s:.2f} s"
    )
    assert not alive, f"still running after {STOP_BUDGET_S} s: {alive}"
    assert all_s < STOP_BUDGET_S
    assert platform.process.returncode == 0


@pytest.mark.parametrize("taken", ["gateway", "appraisal"])
def test_a_taken_port_fails_the_start_at_once_with_a_clear_message(tmp_path, taken):
    names = ("recruitment", "appraisal", "training", "awards", "feedback", "gateway", "amqp")
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    env = {
        "PATH": "/usr/bin:/bin",
        "SOFIFI_VAR_DIR": str(tmp_path / "var"),
        "AMQP_URL": f"amqp://guest:guest@127.0.0.1:{ports['amqp']}//",
        "PORT": str(ports["gateway"]),
        **{f"{name.upper()}_URL": f"http://127.0.0.1:{ports[name]}" for name in names[:5]},
    }
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", ports[taken]))
        holder.listen()
        began = time.monotonic()
        result = subprocess.run(
            [SOFIFI, "run"], env=env, capture_output=True, text=True, timeout=60, check=False
        )
        seconds = time.monotonic() - began
    assert result.returncode != 0
    assert f"{ports[taken]} ({taken}) already in use" in result.stderr, result.stderr
    assert seconds < 10, f"took {seconds:.1f} s to refuse"
    # Nothing was half-started: no database was migrated, no key written.
    assert not (tmp_path / "var").exists() or not any((tmp_path / "var").rglob("*.db"))
