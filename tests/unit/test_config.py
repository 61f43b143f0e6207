"""Settings from the environment: documented defaults, overrides, per-service values."""

from __future__ import annotations

from pathlib import Path

import pytest

from chassis.config import ENV_NAMES, ENV_VARS, Settings, env, parse_bool
from sofifi.registry import ALL_TARGETS, PORTS, SERVICE_NAMES, env_vars
from sofifi.registry import settings as settings_of

ALL_PROCESSES = ALL_TARGETS
DEFAULT_PORTS = PORTS


def test_defaults_with_an_empty_environment():
    settings = settings_of("appraisal", environ={})
    assert settings.service == "appraisal"
    assert settings.var_dir == Path("var")
    assert settings.database_url == "sqlite:///var/appraisal.db"
    assert settings.amqp_url == "amqp://guest:guest@localhost:5672//"
    assert settings.event_exchange == "asn.events"
    assert settings.event_delivery_limit == 5
    assert settings.jwt_issuer == "sofifi-gateway"
    assert settings.jwt_audience == "sofifi-asn"
    assert settings.jwt_public_key_file == Path("var/keys/jwt-public.pem")
    assert settings.jwt_private_key_file == Path("var/keys/jwt-private.pem")
    assert settings.log_level == "INFO"
    assert settings.worker_heartbeat_file is None
    # A service routes nowhere: only the gateway is told where the others are.
    assert settings.service_urls == {}
    assert settings_of("gateway", environ={}).service_urls == {
        name: f"http://127.0.0.1:{DEFAULT_PORTS[name]}" for name in SERVICE_NAMES
    }


def test_the_chassis_knows_no_service_by_name():
    settings = Settings.from_env("gateway", environ={})
    assert settings.service_urls == {}
    assert settings.port == 8080
    told = Settings.from_env(
        "gateway",
        environ={"LEDGER_URL": "http://ledger:9000"},
        default_port=9090,
        service_urls={"ledger": "http://127.0.0.1:9001", "archive": "http://127.0.0.1:9002"},
    )
    assert told.port == 9090
    assert told.service_urls == {"ledger": "http://ledger:9000", "archive": "http://127.0.0.1:9002"}


@pytest.mark.parametrize(
    "var", [v for v in env_vars() if v.default is not None], ids=lambda v: v.name
)
def test_the_documented_default_is_the_default_in_the_code(var):
    # Setting a variable to its documented default must change nothing.
    assert var.documented_default == var.default
    assert settings_of("gateway", environ={var.name: var.default}) == settings_of(
        "gateway", environ={}
    )


@pytest.mark.parametrize("var", ENV_VARS, ids=lambda v: v.name)
def test_env_reads_each_variable_through_its_declaration(var):
    default = env(var.name, {})
    assert default == (None if var.default is None else var.parse(var.default))
    if var.default is not None:
        assert env(var.name, {var.name: var.default}) == default


def test_yes_no_values():
    assert [parse_bool(v) for v in ("1", "on", "TRUE", "yes")] == [True] * 4
    assert [parse_bool(v) for v in ("0", "off", "False", "no")] == [False] * 4
    with pytest.raises(ValueError):
        parse_bool("maybe")


@pytest.mark.parametrize("name", ALL_PROCESSES)
def test_each_process_gets_its_own_database_file_and_port(name, tmp_path):
    settings = settings_of(name, environ={"SOFIFI_VAR_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path}/{name}.db"
    assert settings.port == DEFAULT_PORTS[name]
    assert settings.jwt_public_key_file == tmp_path / "keys" / "jwt-public.pem"


def test_ports_are_distinct_and_the_gateway_is_on_8080():
    assert DEFAULT_PORTS["gateway"] == 8080
    assert len(set(DEFAULT_PORTS.values())) == len(DEFAULT_PORTS)
    assert set(DEFAULT_PORTS) == set(ALL_PROCESSES)


def test_the_environment_overrides_defaults():
    environ = {
        "DATABASE_URL": "postgresql://asn@db/awards",
        "AMQP_URL": "amqp://asn:secret@mq:5672/asn",
        "EVENT_DELIVERY_LIMIT": "7",
        "OUTBOX_POLL_INTERVAL": "0.2",
        "LOG_LEVEL": "debug",
        "PORT": "9004",
        "TRAINING_URL": "http://training:8000",
    }
    settings = settings_of("gateway", environ=environ)
    assert settings.database_url == "postgresql://asn@db/awards"
    assert settings_of("awards", environ=environ).port == 9004
    assert settings.amqp_url == "amqp://asn:secret@mq:5672/asn"
    assert settings.event_delivery_limit == 7
    assert settings.outbox_poll_interval == 0.2
    assert settings.log_level == "DEBUG"
    assert settings.port == 9004
    assert settings.service_urls["training"] == "http://training:8000"
    assert settings.service_urls["awards"] == "http://127.0.0.1:8004"
    assert settings_of("awards", environ=environ).service_urls == {}


def test_overrides_win_over_the_environment_and_empty_values_mean_default():
    settings = Settings.from_env(
        "feedback",
        overrides={"PORT": "9100", "LOG_LEVEL": "warning"},
        environ={"PORT": "9000", "EVENT_EXCHANGE": ""},
    )
    assert settings.port == 9100
    assert settings.log_level == "WARNING"
    assert settings.event_exchange == "asn.events"


def test_the_process_environment_is_read_when_none_is_given(monkeypatch):
    monkeypatch.setenv("JWT_AUDIENCE", "elsewhere")
    assert Settings.from_env("recruitment").jwt_audience == "elsewhere"


def test_a_malformed_number_fails_loudly():
    with pytest.raises(ValueError):
        Settings.from_env("appraisal", environ={"EVENT_DELIVERY_LIMIT": "five"})


def test_replace_changes_only_what_it_names():
    settings = Settings.from_env("appraisal", environ={})
    changed = settings.replace(port=9999)
    assert changed.port == 9999
    assert changed.replace(port=settings.port) == settings


def test_every_variable_is_declared_once_with_help_text():
    names = [var.name for var in env_vars()]
    assert len(names) == len(set(names)) == len(ENV_NAMES) + len(SERVICE_NAMES)
    for var in env_vars():
        assert var.name.isupper() and " " not in var.name, var.name
        assert var.help.strip() and len(var.help) > 10, f"{var.name} needs help text"
        assert var.documented_default.strip(), f"{var.name} needs a documented default"
