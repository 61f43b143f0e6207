"""JSON log lines carry the service and the correlation id, and never a NIK."""

from __future__ import annotations

import io
import json
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chassis.logs import configure_logging, correlation_scope, redact
from chassis.web import create_base_app

NIK = "8271015504980001"
NIP = "199804212025032001"
log = logging.getLogger("sofifi.test")


def _our_handler() -> logging.StreamHandler:
    handlers = [h for h in logging.getLogger().handlers if getattr(h, "_sofifi", False)]
    assert len(handlers) == 1, "configure_logging must install exactly one handler"
    return handlers[0]


@pytest.fixture
def lines():
    """Configure logging for 'appraisal' and return a function reading the JSON lines so far."""
    root = logging.getLogger()
    level = root.level
    configure_logging("appraisal", "INFO")
    handler = _our_handler()
    stream = io.StringIO()
    handler.setStream(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def test_a_line_carries_service_and_correlation_id(lines):
    with correlation_scope("req-42-abcdef"):
        log.info("appraisal finalized")
    (line,) = lines()
    assert line["service"] == "appraisal"
    assert line["correlation_id"] == "req-42-abcdef"
    assert line["message"] == "appraisal finalized"
    assert line["level"] == "INFO"
    assert line["logger"] == "sofifi.test"
    assert "time" in line


def test_outside_any_request_the_correlation_id_is_null(lines):
    log.warning("relay idle")
    assert lines()[0]["correlation_id"] is None


def test_a_nik_is_masked_wherever_it_appears(lines):
    with correlation_scope("req-nik-0001"):
        log.info("report from %s", NIK)
        log.info(f"citizen {NIK} wrote")
        log.info("extra fields", extra={"reporter": NIK, "detail": {"niks": [NIK]}})
        try:
            raise ValueError(f"duplicate NIK {NIK}")
        except ValueError:
            log.exception("import failed")
    output = json.dumps(lines())
    assert NIK not in output
    assert output.count(NIK[:4] + "*" * 12) == 5


def test_a_nip_is_not_masked(lines):
    log.info("appraised %s by %s", NIP, "197806152003122002")
    assert lines()[0]["message"] == f"appraised {NIP} by 197806152003122002"


def test_the_correlation_id_field_is_left_whole(lines):
    # Operators search for it; it is an opaque id, not personal data.
    with correlation_scope("1234567890123456"):
        log.info("work")
    assert lines()[0]["correlation_id"] == "1234567890123456"


def test_configuring_twice_keeps_one_handler(lines):
    configure_logging("appraisal", "INFO")
    configure_logging("appraisal", "DEBUG")
    _our_handler()
    assert logging.getLogger().level == logging.DEBUG


def test_a_request_logs_under_its_request_id(tmp_path):
    root_level = logging.getLogger().level
    app, _api = create_base_app("training", {"SOFIFI_VAR_DIR": str(tmp_path)}, title="Logs")

    @app.get("/work")
    def work():
        """Log something while handling a request."""
        log.info("handling %s", NIK)
        return {"ok": True}

    handler = _our_handler()
    stream = io.StringIO()
    handler.setStream(stream)
    try:
        response = app.test_client().get("/work", headers={"X-Request-ID": "req-from-gateway"})
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(root_level)
    assert response.headers["X-Request-ID"] == "req-from-gateway"
    logged = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert {line["correlation_id"] for line in logged} == {"req-from-gateway"}
    assert {line["service"] for line in logged} == {"training"}
    assert [line["message"] for line in logged] == ["handling 8271************", "request"]


@given(
    st.text(alphabet="abc -:/", max_size=5),
    st.integers(min_value=1, max_value=30),
    st.text(alphabet="abc -:/", max_size=5),
)
def test_only_runs_of_exactly_16_digits_are_masked(before, length, after):
    digits = ("8271015504980001" * 2)[:length]
    text = before + digits + after
    if length == 16:
        assert redact(text) == before + digits[:4] + "*" * 12 + after
    else:
        assert redact(text) == text
