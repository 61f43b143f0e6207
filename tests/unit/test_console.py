"""At a terminal `sofifi run` shows a banner and short log lines; elsewhere JSON stays."""

from __future__ import annotations

import io
import json
import logging

import pytest

from chassis import logs
from chassis.logs import configure_logging
from sofifi import console


@pytest.fixture
def stderr(monkeypatch):
    """A fake stderr, a terminal or not; the root logger restored afterwards."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    levels = {
        name: logging.getLogger(name).level for name in ("alembic", "gunicorn.error", "werkzeug")
    }

    def make(tty: bool) -> io.StringIO:
        stream = io.StringIO()
        stream.isatty = lambda: tty  # type: ignore[method-assign]
        monkeypatch.setattr(logs.sys, "stderr", stream)
        monkeypatch.setattr(console.sys, "stderr", stream)
        return stream

    yield make
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    for name, value in levels.items():
        logging.getLogger(name).setLevel(value)


def test_at_a_terminal_the_banner_says_where_and_what_next(stderr):
    stream = stderr(True)
    configure_logging("run", "INFO")
    console.announce_ready("http://127.0.0.1:8080")
    text = stream.getvalue()
    assert "http://127.0.0.1:8080" in text
    assert "http://127.0.0.1:8080/api/v1/docs" in text
    assert "sofifi user create" in text and "sofifi demo" in text and "Ctrl-C" in text
    assert "{" not in text  # no JSON


def test_elsewhere_ready_is_one_json_line_with_the_urls(stderr):
    stream = stderr(False)
    configure_logging("run", "INFO")
    console.announce_ready("http://127.0.0.1:8080")
    (line,) = [json.loads(raw) for raw in stream.getvalue().splitlines()]
    assert line["message"] == "platform ready"
    assert line["gateway"] == "http://127.0.0.1:8080"
    assert line["docs"] == "http://127.0.0.1:8080/api/v1/docs"


def test_readable_lines_at_a_terminal_without_library_noise(stderr):
    stream = stderr(True)
    configure_logging("appraisal", "INFO")
    logging.getLogger("alembic.runtime.migration").info("Context impl SQLiteImpl.")
    logging.getLogger("sofifi.test").info("worker started", extra={"nik": "8271015504980001"})
    (line,) = stream.getvalue().splitlines()
    assert "INFO" in line and "appraisal" in line and "worker started" in line
    assert "nik=8271************" in line  # still masked
    assert not line.startswith("{")


def test_json_lines_keep_alembic_at_info_elsewhere(stderr):
    stream = stderr(False)
    configure_logging("appraisal", "INFO")
    logging.getLogger("alembic.runtime.migration").info("Context impl SQLiteImpl.")
    (line,) = [json.loads(raw) for raw in stream.getvalue().splitlines()]
    assert line["logger"] == "alembic.runtime.migration"
