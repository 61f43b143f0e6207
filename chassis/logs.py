"""JSON logs that carry the request id (= the correlation id of the events it causes)."""

from __future__ import annotations

import logging
import re
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

# A NIK is 16 digits; NIPs (18) and ids are longer or shorter, so this only hides NIK-like runs.
_NIK_LIKE = re.compile(r"(?<!\d)\d{16}(?!\d)")
# A caller's request id is kept only when it is well formed (it goes into logs and headers).
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def current_correlation_id() -> str | None:
    """The request id or event correlation id of the work in progress, if any."""
    return _correlation_id.get()


def new_correlation_id() -> str:
    """A fresh id for work that did not come with one."""
    return uuid.uuid4().hex


def request_id_or_new(offered: str | None) -> str:
    """The caller's request id when it is well formed, else a new one (web and gateway)."""
    return offered if offered and _REQUEST_ID.match(offered) else new_correlation_id()


@contextmanager
def correlation_scope(correlation_id: str | None) -> Iterator[str]:
    """Run a block of work under `correlation_id` (a new one when None)."""
    value = correlation_id or new_correlation_id()
    token = _correlation_id.set(value)
    try:
        yield value
    finally:
        _correlation_id.reset(token)


def bind_correlation_id(correlation_id: str) -> object:
    """Set the correlation id for the rest of this context; returns a token for `unbind`."""
    return _correlation_id.set(correlation_id)


def unbind_correlation_id(token: object) -> None:
    """Undo `bind_correlation_id`."""
    _correlation_id.reset(token)  # type: ignore[arg-type]


def redact(text: str) -> str:
    """Mask anything shaped like a NIK (personal data never reaches the logs)."""
    return _NIK_LIKE.sub(lambda m: m.group(0)[:4] + "*" * 12, text)


class CorrelationFilter(logging.Filter):
    """Adds `service` and `correlation_id` to every record and masks NIK-like numbers."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.correlation_id = _correlation_id.get()
        message = record.getMessage()
        if _NIK_LIKE.search(message):
            record.msg, record.args = redact(message), None
        return True


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {key: _redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(item) for item in value]
    return value


class RedactingJsonFormatter(JsonFormatter):
    """JSON lines with NIK-like numbers masked in every field: extras and tracebacks too."""

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        # The correlation id is an opaque id that operators search for: left as it is.
        return {
            key: value if key == "correlation_id" else _redact_value(value)
            for key, value in log_data.items()
        }


# Attributes every LogRecord has: what is left are the `extra` fields a readable line shows.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "service",
    "correlation_id",
    "taskName",
}


class ReadableFormatter(logging.Formatter):
    """One short line per record for a person at a terminal: time, level, service, message."""

    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(
            f"{key}={redact(str(value))}"
            for key, value in vars(record).items()
            if key not in _RECORD_FIELDS and not key.startswith("_")
        )
        moment = self.formatTime(record, "%H:%M:%S")
        line = f"{moment} {record.levelname:<7} {record.service:<12} {record.getMessage()}"
        line = f"{line}  {extras}" if extras else line
        if record.exc_info:
            line = f"{line}\n{redact(self.formatException(record.exc_info))}"
        return line


def interactive() -> bool:
    """True when stderr is a terminal (a person is watching, not a container or a file)."""
    return sys.stderr.isatty()


def configure_logging(service: str, level: str = "INFO", readable: bool | None = None) -> None:
    """Send log lines to stderr for the whole process (idempotent): JSON lines, or short
    readable lines when `readable` (by default: when stderr is a terminal)."""
    readable = interactive() if readable is None else readable
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_sofifi", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._sofifi = True  # type: ignore[attr-defined]
    if readable:
        handler.setFormatter(ReadableFormatter())
    else:
        handler.setFormatter(
            RedactingJsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(correlation_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    handler.addFilter(CorrelationFilter(service))
    root.addHandler(handler)
    root.setLevel(level)
    # kombu and amqp are chatty at DEBUG and never log anything we need at INFO; at a terminal
    # Alembic's set-up lines, gunicorn's worker boots and werkzeug's access lines are noise.
    terminal_noise = ("alembic", "gunicorn.error", "werkzeug")  # werkzeug: a second access log
    noisy = ("amqp", "kombu", "urllib3", *(terminal_noise if readable else ()))
    for name in noisy:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
