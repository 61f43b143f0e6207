"""Gateway users and tokens: login, refusals, rate limit, argon2 hashing, `sofifi user create`."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner
from sqlalchemy import select

from chassis.auth import TokenVerifier
from chassis.db import Database
from chassis.migrations import pending_changes, upgrade
from chassis.uow import UnitOfWork
from gateway import revocation, throttle
from gateway.app import MIGRATIONS_DIR, create_app
from gateway.models import Base, User
from gateway.users import BAD_CREDENTIALS, InvalidUser, create_user
from sofifi.cli import main
from sofifi.registry import default_service_urls

NIP = "198503122010011001"
PASSWORD = "kopi-sofifi-2024"


@pytest.fixture
def gateway_config(service_config: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """The gateway's settings with a migrated SQLite users database of its own."""
    config = {**service_config, "DATABASE_URL": f"sqlite:///{tmp_path}/gateway.db"}
    upgrade(MIGRATIONS_DIR, config["DATABASE_URL"])
    return config


def test_the_migrations_match_the_models(gateway_config):
    app = create_app(gateway_config)

    assert pending_changes(Database.state(app).engine, Base.metadata) == []


def add_user(app, username: str = "ani", roles=("admin",), **fields) -> None:
    with app.app_context():
        session = Database.state(app).session_factory()
        create_user(UnitOfWork(session), username, PASSWORD, roles, **fields)
        session.commit()
        session.close()


def stored_user(app, username: str) -> User:
    with app.app_context():
        session = Database.state(app).session_factory()
        user = session.scalar(select(User).where(User.username == username))
        session.close()
        return user


def login(client, username: str, password: str, remote_addr: str = "127.0.0.1"):
    return client.post(
        "/api/v1/auth/token",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": remote_addr},
    )


def test_login_returns_a_token_every_service_accepts(gateway_config, keys):
    app = create_app({**gateway_config, "JWT_TTL_SECONDS": "900"})
    add_user(app, "Ani", roles=("supervisor", "employee"), nip=NIP, unit="BKD-01")

    response = login(app.test_client(), "ani", PASSWORD)

    assert response.status_code == 200, response.json
    body = response.json
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert body["roles"] == ["employee", "supervisor"]
    assert (body["nip"], body["unit"]) == (NIP, "BKD-01")
    principal = TokenVerifier(keys.public.read_bytes(), "sofifi-gateway", "sofifi-asn").verify(
        body["access_token"]
    )
    assert principal.username == "ani"
    assert set(principal.roles) == {"employee", "supervisor"}
    assert (principal.nip, principal.unit) == (NIP, "BKD-01")


def test_me_returns_the_callers_principal(gateway_config, keys):
    app = create_app(gateway_config)
    add_user(app, "budi", roles=("officer",), unit="DISDIK")
    client = app.test_client()
    token = login(client, "budi", PASSWORD).json["access_token"]

    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.json == {
        "username": "budi",
        "roles": ["officer"],
        "nip": None,
        "unit": "DISDIK",
    }
    assert client.get("/api/v1/auth/me").status_code == 401


def test_wrong_password_and_unknown_user_get_the_same_401(gateway_config):
    app = create_app(gateway_config)
    add_user(app)
    client = app.test_client()

    wrong = login(client, "ani", "not-the-password")
    unknown = login(client, "nobody", PASSWORD)

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json["message"] == unknown.json["message"] == BAD_CREDENTIALS
    assert set(wrong.json) == {"code", "status", "message", "request_id"}
    assert "access_token" not in wrong.json


def test_an_inactive_user_cannot_log_in(gateway_config):
    app = create_app(gateway_config)
    add_user(app)
    with app.app_context():
        session = Database.state(app).session_factory()
        session.scalar(select(User).where(User.username == "ani")).active = False
        session.commit()
        session.close()

    response = login(app.test_client(), "ani", PASSWORD)

    assert response.status_code == 401
    assert response.json["message"] == BAD_CREDENTIALS


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "ani"}, "password"),
        ({"password": PASSWORD}, "username"),
        ({"username": "", "password": PASSWORD}, "username"),
        ({"username": 42, "password": PASSWORD}, "username"),
    ],
)
def test_a_missing_or_invalid_field_is_a_422_naming_it(gateway_config, body, field):
    app = create_app(gateway_config)

    response = app.test_client().post("/api/v1/auth/token", json=body)

    assert response.status_code == 422
    assert list(response.json["errors"]["json"]) == [field]
    assert response.json["errors"]["json"][field]


def test_logins_are_rate_limited_per_client(gateway_config):
    app = create_app({**gateway_config, "RATELIMIT_LOGIN": "3 per minute"})
    add_user(app)
    client = app.test_client()

    statuses = [login(client, "ani", f"guess-number-{i}").status_code for i in range(3)]
    blocked = login(client, "ani", PASSWORD)

    assert statuses == [401, 401, 401]
    assert blocked.status_code == 429
    assert blocked.json["code"] == 429
    assert blocked.json["status"] == "Too Many Requests"
    assert "login attempts" in blocked.json["message"]
    assert blocked.json["request_id"] == blocked.headers["X-Request-ID"]
    assert int(blocked.headers["Retry-After"]) > 0
    # Another client is not affected by the first one's attempts.
    assert login(client, "ani", PASSWORD, remote_addr="10.1.2.3").status_code == 200


def test_passwords_are_stored_as_argon2id_with_the_owasp_parameters(gateway_config):
    app = create_app(gateway_config)
    add_user(app)

    stored = stored_user(app, "ani").password_hash

    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in stored


def test_a_hash_with_old_parameters_is_replaced_at_login(gateway_config):
    app = create_app(gateway_config)
    add_user(app)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with app.app_context():
        session = Database.state(app).session_factory()
        session.scalar(select(User).where(User.username == "ani")).password_hash = weak
        session.commit()
        session.close()

    assert login(app.test_client(), "ani", PASSWORD).status_code == 200

    rehashed = stored_user(app, "ani").password_hash
    assert rehashed != weak
    assert rehashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert login(app.test_client(), "ani", PASSWORD).status_code == 200


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"roles": ()}, "roles"),
        ({"roles": ("admin", "superuser")}, "roles"),
        ({"nip": "19850312201001100"}, "nip"),
        ({"nip": "198513122010011001"}, "nip"),
        ({"password": "short"}, "password"),
        ({"username": "a b"}, "username"),
        ({"unit": "unit with spaces"}, "unit"),
    ],
)
def test_create_user_refuses_bad_input_naming_the_field(gateway_config, changes, field):
    app = create_app(gateway_config)
    values = {"username": "citra", "password": PASSWORD, "roles": ("employee",), "nip": NIP}
    values.update(changes)
    with app.app_context():
        session = Database.state(app).session_factory()
        with pytest.raises(InvalidUser) as refused:
            create_user(UnitOfWork(session), **values)
        session.rollback()
        session.close()

    assert refused.value.field == field
    assert stored_user(app, "citra") is None


def test_a_username_is_taken_once(gateway_config):
    app = create_app(gateway_config)
    add_user(app, "dewi")

    with pytest.raises(InvalidUser, match="already exists"):
        add_user(app, "DEWI")


def test_a_signing_key_that_does_not_match_the_public_key_stops_the_gateway(
    gateway_config, foreign_keys
):
    config = {**gateway_config, "JWT_PRIVATE_KEY_FILE": str(foreign_keys.private)}

    with pytest.raises(RuntimeError, match="does not match"):
        create_app(config)


def cli_env(config: dict[str, str]) -> dict[str, str]:
    return {name: config[name] for name in ("SOFIFI_VAR_DIR", "DATABASE_URL")} | {
        "JWT_PUBLIC_KEY_FILE": config["JWT_PUBLIC_KEY_FILE"],
        "JWT_PRIVATE_KEY_FILE": config["JWT_PRIVATE_KEY_FILE"],
    }


def test_sofifi_user_create_makes_a_user_who_can_log_in(service_config, tmp_path):
    config = {**service_config, "DATABASE_URL": f"sqlite:///{tmp_path}/cli-gateway.db"}
    runner = CliRunner()
    env = cli_env(config)

    migrated = runner.invoke(main, ["migrate", "gateway"], env=env)
    created = runner.invoke(
        main,
        [
            *("user", "create", "--username", "eka", "--password", PASSWORD),
            *("--role", "supervisor", "--role", "employee", "--nip", NIP, "--unit", "BKD-02"),
        ],
        env=env,
    )

    assert migrated.exit_code == 0, migrated.output
    assert created.exit_code == 0, created.output
    assert "user eka created" in created.output
    response = login(create_app(config).test_client(), "eka", PASSWORD)
    assert response.status_code == 200
    assert response.json["roles"] == ["employee", "supervisor"]
    assert (response.json["nip"], response.json["unit"]) == (NIP, "BKD-02")


def test_sofifi_user_create_reports_bad_input_and_an_unmigrated_database(service_config, tmp_path):
    config = {**service_config, "DATABASE_URL": f"sqlite:///{tmp_path}/cli-gateway.db"}
    runner = CliRunner()
    env = cli_env(config)
    args = ["user", "create", "--username", "fajar", "--password", PASSWORD]

    unmigrated = runner.invoke(main, [*args, "--role", "admin"], env=env)
    runner.invoke(main, ["migrate", "gateway"], env=env)
    bad_role = runner.invoke(main, [*args, "--role", "king"], env=env)

    assert unmigrated.exit_code == 1
    assert "sofifi migrate gateway" in unmigrated.output
    assert bad_role.exit_code == 1
    assert "Unknown role(s) king" in bad_role.output


@pytest.mark.postgres
def test_users_live_in_postgresql_when_database_url_names_it(service_config, postgres_url):
    config = {**service_config, "DATABASE_URL": postgres_url}
    upgrade(MIGRATIONS_DIR, postgres_url)
    app = create_app(config)
    add_user(app, "gita", roles=("committee",))

    response = login(app.test_client(), "gita", PASSWORD)

    assert response.status_code == 200
    assert response.json["roles"] == ["committee"]
    assert Database.state(app).engine.dialect.name == "postgresql"
    Database.state(app).engine.dispose()


def test_an_account_is_locked_after_repeated_wrong_passwords_across_workers(gateway_config):
    # Two gateway apps on one database: two workers (or replicas) sharing nothing else.
    first, second = create_app(gateway_config), create_app(gateway_config)
    add_user(first, "ani")
    clients = [first.test_client(), second.test_client()]
    # Guesses spread over workers and client addresses (each under its per-client limit).
    for attempt in range(throttle.MAX_FAILURES):
        client = clients[attempt % 2]
        assert login(client, "ani", "wrong-guess", f"10.0.0.{attempt}").status_code == 401

    locked = login(clients[1], "ANI", PASSWORD, "10.0.1.1")  # even the right password waits
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert "account" in locked.json["message"]
    assert login(clients[0], "bob", "wrong-guess").status_code == 401  # others unaffected


def test_unknown_usernames_lock_the_same_way_and_a_success_clears_the_count(gateway_config):
    app = create_app(gateway_config)
    add_user(app, "ani")
    client = app.test_client()
    answers = [login(client, "nobody", "x", f"10.0.0.{i}") for i in range(6)]
    assert [a.status_code for a in answers] == [401] * 5 + [429]  # existence is not told
    for i in range(throttle.MAX_FAILURES - 1):
        login(client, "ani", "wrong", f"10.0.2.{i}")
    assert login(client, "ani", PASSWORD, "10.0.3.1").status_code == 200
    assert login(client, "ani", "wrong", "10.0.3.2").status_code == 401  # counting anew
    assert login(client, "ani", PASSWORD, "10.0.3.3").status_code == 200


def test_a_signed_out_token_is_refused_at_once_by_every_worker(gateway_config):
    urls = default_service_urls()
    first = create_app(gateway_config, service_urls=urls)
    second = create_app(gateway_config, service_urls=urls)
    add_user(first, "ani")
    token = login(first.test_client(), "ani", PASSWORD).json["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    other = second.test_client()
    assert other.get("/api/v1/auth/me", headers=bearer).status_code == 200  # cached there

    assert first.test_client().post("/api/v1/auth/logout", headers=bearer).status_code == 204

    assert first.test_client().get("/api/v1/auth/me", headers=bearer).status_code == 401
    time.sleep(revocation.REFRESH_SECONDS + 0.1)  # the other worker rereads the list
    refused = other.get("/api/v1/auth/me", headers=bearer)
    assert refused.status_code == 401 and "revoked" in refused.json["message"]
    # The proxy (fast path) refuses it too, before any backend is tried.
    assert other.get("/api/v1/appraisal/periods", headers=bearer).status_code == 401
    fresh = login(other, "ani", PASSWORD).json["access_token"]
    assert (
        other.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {fresh}"}).status_code
        == 200
    )


def test_deactivation_revokes_every_token_and_stops_logins(gateway_config, monkeypatch):
    app = create_app(gateway_config)
    add_user(app, "ani")
    client = app.test_client()
    tokens = [login(client, "ani", PASSWORD, f"10.0.0.{i}").json["access_token"] for i in (1, 2)]
    monkeypatch.setenv("DATABASE_URL", gateway_config["DATABASE_URL"])

    result = CliRunner().invoke(main, ["user", "deactivate", "--username", "ani"])

    assert result.exit_code == 0, result.output
    app.extensions["gateway"].tokens.revocations.reload()
    for token in tokens:
        answer = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401
    assert login(client, "ani", PASSWORD, "10.0.0.3").status_code == 401
    assert stored_user(app, "ani").active is False
