"""Signals a long-running command waits for, without locks in the signal handler.

A Python handler that sets a `threading.Event` can deadlock when the signal lands while the main
thread holds that event's lock; here the handler only appends to a list, and the C-level wake-up
fd ends the main thread's `select` at once.
"""

from __future__ import annotations

import select
import signal
import socket
from collections.abc import Iterable


class Signals:
    """Catch `signums` from now on; `wait` returns those received (empty after a timeout)."""

    def __init__(self, signums: Iterable[int]) -> None:
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._received: list[int] = []
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._previous = {num: signal.signal(num, self._note) for num in signums}

    def _note(self, signum: int, _frame: object) -> None:
        self._received.append(signum)

    def wait(self, timeout: float | None) -> list[int]:
        """Sleep until a caught signal arrives or `timeout` passes; the signals received."""
        if not self._received:
            select.select([self._reader], [], [], timeout)
        try:
            while self._reader.recv(512):
                pass
        except BlockingIOError:
            pass
        received, self._received = self._received, []
        return received

    def close(self) -> None:
        """Restore the previous handlers."""
        for num, handler in self._previous.items():
            signal.signal(num, handler)
        signal.set_wakeup_fd(self._previous_fd)
        self._reader.close()
        self._writer.close()
