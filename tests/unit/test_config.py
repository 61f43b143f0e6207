"""Settings from the environment: documented defaults, overrides, per-service values."""

from __future__ import annotations

from pathlib import Path

import pytest

from chassis.config import DEFAULT_PORTS, ENV_NAMES, ENV_VARS, SERVICE_NAMES, Settings

ALL_PROCESSES = (*SERVICE_NAMES, "gateway")


def test_defaults_with_an_empty_environment():
    settings = Settings.from_env("appraisal", environ={})
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
    assert settings.service_urls == {
        name: f"http://127.0.0.1:{DEFAULT_PORTS[name]}" for name in SERVICE_NAMES
    }


def _literal(default: str) -> bool:
    # "<SOFIFI_VAR_DIR>/..." and "(unset: ...)" describe a computed default, not a value.
    return "<" not in default and not default.startswith("(")


@pytest.mark.parametrize("var", [v for v in ENV_VARS if _literal(v.default)], ids=lambda v: v.name)
def test_the_documented_default_is_the_default_in_the_code(var):
    # Setting a variable to its documented default must change nothing.
    assert Settings.from_env("training", environ={var.name: var.default}) == Settings.from_env(
        "training", environ={}
    )


@pytest.mark.parametrize("name", ALL_PROCESSES)
def test_each_process_gets_its_own_database_file_and_port(name, tmp_path):
    settings = Settings.from_env(name, environ={"SOFIFI_VAR_DIR": str(tmp_path)})
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
    settings = Settings.from_env("awards", environ=environ)
    assert settings.database_url == "postgresql://asn@db/awards"
    assert settings.amqp_url == "amqp://asn:secret@mq:5672/asn"
    assert settings.event_delivery_limit == 7
    assert settings.outbox_poll_interval == 0.2
    assert settings.log_level == "DEBUG"
    assert settings.port == 9004
    assert settings.service_urls["training"] == "http://training:8000"
    assert settings.service_urls["awards"] == "http://127.0.0.1:8004"


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
    names = [var.name for var in ENV_VARS]
    assert len(names) == len(set(names)) == len(ENV_NAMES)
    for var in ENV_VARS:
        assert var.name.isupper() and " " not in var.name, var.name
        assert var.help.strip() and len(var.help) > 10, f"{var.name} needs help text"
        assert var.default.strip(), f"{var.name} needs a documented default"
