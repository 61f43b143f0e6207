"""RabbitMQ nodes of our own, to stop, kill and restart freely (never the shared broker).

Each node runs the Debian package's `rabbitmq-server` as a child of this process, as root, with
its own name, ports, data and log folders and configuration in a temporary folder, and its own
Erlang cookie (HOME points there), so that nothing reads or touches /etc/rabbitmq or the shared
node. No plugins. Every node started here is stopped (and, failing that, killed by its own
process group) when the `nodes` block ends.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"
CTL = "/usr/lib/rabbitmq/bin/rabbitmqctl"


def free_port() -> int:
    """A TCP port free on the loopback address right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Node:
    """One RabbitMQ node on 127.0.0.1: `start`, `stop`, `kill`, `restart`, `ctl`."""

    def __init__(self, name: str, home: Path) -> None:
        self.name = f"{name}@localhost"
        self.port = free_port()
        self.dist_port = free_port()
        self.home = home
        self.base = home / name
        self.base.mkdir(parents=True, exist_ok=True)
        (self.base / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = 127.0.0.1:{self.port}\n"
            "log.console = false\n"
            "log.file.level = warning\n"
            # Room for a few quorum-queue members on a small shared machine.
            "vm_memory_high_watermark.relative = 0.6\n"
            "disk_free_limit.absolute = 50MB\n"
        )
        (self.base / "enabled_plugins").write_text("[].\n")
        (self.base / "rabbitmq-env.conf").write_text("")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RABBITMQ_", "ERL_"))}
        env.update(
            HOME=str(self.home),  # the cookie: ours, not the shared node's
            RABBITMQ_NODENAME=self.name,
            RABBITMQ_NODE_IP_ADDRESS="127.0.0.1",
            RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_DIST_PORT=str(self.dist_port),
            RABBITMQ_CONF_ENV_FILE=str(self.base / "rabbitmq-env.conf"),
            RABBITMQ_CONFIG_FILE=str(self.base / "rabbitmq.conf"),
            RABBITMQ_ADVANCED_CONFIG_FILE=str(self.base / "advanced.config"),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(self.base / "enabled_plugins"),
            RABBITMQ_MNESIA_BASE=str(self.base / "mnesia"),
            RABBITMQ_LOG_BASE=str(self.base / "log"),
            RABBITMQ_PID_FILE=str(self.base / "pid"),
            RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}",
            ERL_EPMD_ADDRESS="127.0.0.1",
        )
        return env

    def ctl(self, *args: str, timeout: float = 120) -> str:
        """rabbitmqctl against this node; its output."""
        result = subprocess.run(
            [CTL, "-q", "-n", self.name, *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)}: {result.stderr or result.stdout}")
        return result.stdout

    def start(self, timeout: float = 180) -> float:
        """Start the node and wait until it serves; the seconds it took."""
        started = time.monotonic()
        log = open(self.base / "server.out", "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [SERVER],
            env=self.env(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: ours to kill, and only ours
        )
        log.close()
        self.await_startup(timeout)
        return time.monotonic() - started

    def await_startup(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.tail()}")
            try:
                self.ctl("await_startup", "--timeout", "20", timeout=40)
                return
            except (RuntimeError, subprocess.TimeoutExpired):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.name} did not start: {self.tail()}") from None
                time.sleep(1)

    def stop(self, timeout: float = 60) -> None:
        """Stop the node cleanly (rabbitmqctl stop) and reap it."""
        if self.process is None:
            return
        try:
            self.ctl("stop", timeout=timeout)
        except (RuntimeError, subprocess.TimeoutExpired):
            pass
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None

    def kill(self) -> None:
        """SIGKILL the node's whole process group (the Erlang VM and its helpers)."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(30)
        self.process = None

    def restart(self, hard: bool = False) -> float:
        """Stop (or kill) and start again; the seconds the broker was away."""
        started = time.monotonic()
        self.kill() if hard else self.stop()
        self.start()
        return time.monotonic() - started

    def tail(self, lines: int = 15) -> str:
        path = self.base / "server.out"
        return (
            "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
            if path.exists()
            else ""
        )


@contextmanager
def nodes(count: int, prefix: str = "sofifi-chaos") -> Iterator[list[Node]]:
    """`count` fresh nodes; with more than one, joined into one cluster (the first's)."""
    home = Path(tempfile.mkdtemp(prefix=f"{prefix}-"))
    cookie = home / ".erlang.cookie"
    cookie.write_text(secrets.token_hex(20))
    cookie.chmod(0o400)
    tag = f"{prefix}-{os.getpid()}"
    started: list[Node] = []
    try:
        for index in range(count):
            node = Node(f"{tag}-{index + 1}", home)
            node.start()
            started.append(node)
            if index:
                node.ctl("stop_app")
                node.ctl("join_cluster", started[0].name)
                node.ctl("start_app")
                node.await_startup()
        yield started
    finally:
        for node in started:
            try:
                node.stop(timeout=30)
            except Exception:
                node.kill()
        shutil.rmtree(home, ignore_errors=True)
