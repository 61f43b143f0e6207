"""The deployment files, checked without a Docker engine or a cluster.

docker-compose.yml is read as compose reads it (YAML anchors resolved) and checked against the
compose specification and against what the code reads (sofifi.registry.env_vars); the image,
the PostgreSQL init script and the Kubernetes manifests are checked for what they promise.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from sofifi.registry import PORTS, SERVICE_NAMES, env_vars

ENV_NAMES = frozenset(var.name for var in env_vars())

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
TARGETS = (*SERVICE_NAMES, "gateway")  # every database
WEB = {name: f"{name}-web" for name in SERVICE_NAMES} | {"gateway": "gateway"}
WORKER = {name: f"{name}-worker" for name in SERVICE_NAMES}
VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")
WHOLE_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[?][^}]*)?\}")
SECRET_NAME = re.compile(r"PASS|SECRET|TOKEN|PRIVATE_KEY$")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    pairs = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def ours(service: dict, compose: dict) -> bool:
    """A container running the platform image (not RabbitMQ or PostgreSQL)."""
    return service.get("image") == compose["x-sofifi"]["image"]


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {name: str(value) for name, value in env.items()}


def parse_url(value: str):
    """A URL whose ${VAR:?message} parts are shortened to $VAR (a `?` would start a query)."""
    return urlsplit(WHOLE_VARIABLE.sub(lambda match: "$" + match[1], value))


def depends(service: dict) -> dict[str, str]:
    return {name: spec["condition"] for name, spec in (service.get("depends_on") or {}).items()}


# -- compose: shape --------------------------------------------------------------------------


def test_every_service_has_a_web_and_a_worker_running_the_right_command(services):
    for name in SERVICE_NAMES:
        assert services[WEB[name]]["command"] == ["web", name]
        assert services[WORKER[name]]["command"] == ["worker", name]
        assert environment(services[WEB[name]])["PORT"] == str(PORTS[name])
    assert services["gateway"]["command"] == ["web", "gateway"]


def test_only_the_gateway_is_published_and_on_8080(services):
    assert "${GATEWAY_PUBLISH:-8080}:8080" in services["gateway"]["ports"]
    for name, service in services.items():
        if name not in ("gateway", "rabbitmq"):
            assert "ports" not in service, f"{name} should not be published"
    assert all(port.startswith("127.0.0.1:") for port in services["rabbitmq"]["ports"])


def test_every_long_running_container_has_a_healthcheck(services):
    long_running = [name for name, service in services.items() if service["restart"] != "no"]
    must_have = {"rabbitmq", "postgres", *WEB.values(), *WORKER.values()}
    assert must_have <= set(long_running)
    for name in long_running:
        test = services[name].get("healthcheck", {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), f"{name} has no healthcheck"
    assert "WORKER_HEARTBEAT_FILE" in " ".join(services[WORKER["appraisal"]]["healthcheck"]["test"])
    for name in WEB.values():
        assert "/ready" in " ".join(services[name]["healthcheck"]["test"])


def test_dependencies_wait_for_health_or_completion(services):
    for name, service in services.items():
        for target, condition in depends(service).items():
            if condition == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits on {target}'s health"
            else:
                assert condition == "service_completed_successfully", (name, target)
                assert services[target]["restart"] == "no", f"{target} must be a one-shot"


def test_nobody_starts_before_broker_database_and_migrations(services):
    for name in SERVICE_NAMES:
        for container in (WEB[name], WORKER[name]):
            needs = depends(services[container])
            assert needs["rabbitmq"] == needs["postgres"] == "service_healthy", container
            assert needs[f"migrate-{name}"] == "service_completed_successfully", container
        assert depends(services[WORKER[name]])["rabbitmq-definitions"] == (
            "service_completed_successfully"
        )
        assert depends(services["gateway"])[WEB[name]] == "service_healthy"
    gateway = depends(services["gateway"])
    assert gateway["migrate-gateway"] == gateway["jwt-keys"] == "service_completed_successfully"
    for target in TARGETS:
        assert services[f"migrate-{target}"]["command"] == ["migrate", target]
        assert depends(services[f"migrate-{target}"]) == {"postgres": "service_healthy"}


def test_each_service_uses_its_own_database_with_its_own_role(services):
    for target in TARGETS:
        users = [f"migrate-{target}", WEB[target], *([WORKER[target]] if target in WORKER else [])]
        for container in users:
            url = parse_url(environment(services[container])["DATABASE_URL"])
            assert url.hostname == "postgres" and url.path == f"/{target}", container
            assert url.username == target, container
            assert url.password == f"${target.upper()}_DB_PASSWORD", container
    assert {f"{t.upper()}_DB_PASSWORD" for t in TARGETS} <= set(environment(services["postgres"]))


def test_private_key_only_reaches_the_gateway(services):
    for name, service in services.items():
        volumes = " ".join(service.get("volumes", []))
        if "jwt-private" in volumes:
            assert name in ("gateway", "jwt-keys"), f"{name} must not see the private key"
        if name in WEB.values():
            assert "jwt-public:/var/lib/sofifi/keys/public:ro" in volumes, name
    assert services["jwt-keys"]["command"] == ["keys"]


def test_the_rabbitmq_definitions_file_is_loaded(services):
    loader = services["rabbitmq-definitions"]
    assert "./deploy/rabbitmq:/etc/sofifi/rabbitmq:ro" in loader["volumes"]
    assert loader["command"] == ["/etc/sofifi/rabbitmq/definitions.json"]
    assert loader["entrypoint"][-1] == "/etc/sofifi/rabbitmq/load_definitions.py"
    assert depends(loader) == {"rabbitmq": "service_healthy"}
    assert (ROOT / "deploy/rabbitmq/definitions.json").is_file()


def test_the_postgres_init_script_is_mounted_and_executable(services):
    init = "./deploy/postgres/init-databases.sh:/docker-entrypoint-initdb.d/"
    assert any(volume.startswith(init) for volume in services["postgres"]["volumes"])
    assert os.access(ROOT / "deploy/postgres/init-databases.sh", os.X_OK)


# -- compose: variables and secrets ---------------------------------------------------------


def test_our_containers_set_only_variables_the_code_reads(services, compose):
    for name, service in services.items():
        names = set(environment(service))
        if ours(service, compose):
            # The definitions loader makes each service's broker user with its password.
            loader = {f"{s.upper()}_BROKER_PASSWORD" for s in SERVICE_NAMES}
            known = ENV_NAMES | (loader if name == "rabbitmq-definitions" else set())
            assert names <= known, f"{name} sets names the code never reads: {names - known}"
        elif name == "rabbitmq":
            assert all(n.startswith("RABBITMQ_") for n in names)
        elif name == "postgres":
            allowed = {f"{t.upper()}_DB_PASSWORD" for t in TARGETS}
            assert all(n.startswith("POSTGRES_") or n in allowed for n in names)
        else:
            pytest.fail(f"{name}: an unexpected image {service.get('image')}")


def test_no_password_is_written_in_the_file(services, env_example):
    for name, service in services.items():
        for key, value in environment(service).items():
            if SECRET_NAME.search(key) and not key.endswith("_FILE"):
                assert WHOLE_VARIABLE.fullmatch(value), f"{name}.{key} must be a ${{VAR}}"
            password = parse_url(value).password if "://" in value else None
            if password is not None:
                assert re.fullmatch(r"\$[A-Za-z0-9_]+", password), f"{name}.{key}"
    text = COMPOSE_FILE.read_text()
    for key, value in env_example.items():
        if SECRET_NAME.search(key):
            assert value not in text, f"the example value of {key} is written in the file"


def test_every_variable_is_in_env_example_and_every_example_is_used(env_example):
    used = set(VARIABLE.findall(COMPOSE_FILE.read_text()))
    assert used <= set(env_example), f"add to .env.example: {sorted(used - set(env_example))}"
    # COMPOSE_* are compose's own settings (the project name), read from .env, not the file.
    unused = {name for name in set(env_example) - used if not name.startswith("COMPOSE_")}
    assert not unused, f"unused in compose: {sorted(unused)}"


# -- compose: validated by tools --------------------------------------------------------------


def test_the_file_follows_the_compose_specification():
    schema = ["--builtin-schema", "vendor.compose-spec"]
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", *schema, str(COMPOSE_FILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def compose_command() -> list[str] | None:
    """`docker compose` (the plugin) or Debian's `docker-compose` 1.29, whichever is here."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


@pytest.mark.skipif(
    compose_command() is None,
    reason="no docker compose here (the schema test above still runs)",
)
def test_docker_compose_accepts_the_file_with_the_example_env():
    result = subprocess.run(
        [*compose_command(), "--env-file", ".env.example", "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# -- the image --------------------------------------------------------------------------------


def test_the_image_installs_the_project_and_runs_sofifi_unprivileged():
    dockerfile = (ROOT / "deploy/Dockerfile").read_text()
    assert re.search(r"^FROM \$\{PYTHON_IMAGE\}$", dockerfile, re.M)
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in dockerfile
    assert re.search(r"pip install --no-deps \.$", dockerfile, re.M)
    assert "HOST=0.0.0.0" in dockerfile
    assert re.search(r"^USER 10001", dockerfile, re.M)
    assert 'ENTRYPOINT ["sofifi"]' in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", "var", ".git"} <= set(ignored)


def test_the_image_copies_every_package_pyproject_installs():
    find = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    tops = [pattern.rstrip("*") for pattern in find["find"]["include"]]
    dockerfile = (ROOT / "deploy/Dockerfile").read_text()
    missing = [top for top in tops if f"COPY {top} ./{top}\n" not in dockerfile]
    assert not missing, f"deploy/Dockerfile does not COPY {missing}: the image would lack them"


def test_every_data_file_of_the_packages_is_declared_as_package_data():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["*"]
    undeclared = [
        str(path.relative_to(ROOT))
        for top in ("chassis", "contracts", "services", "gateway", "sofifi")
        for path in (ROOT / top).rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.suffix not in (".py", ".md", ".pyc")
        and not any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns)
    ]
    assert not undeclared, f"`pip install .` would leave these out of the image: {undeclared}"


# -- the worker healthcheck, run for real ------------------------------------------------------


@pytest.mark.broker
def test_worker_healthcheck_follows_the_heartbeat_of_a_real_worker(services, amqp_url, tmp_path):
    check = services[WORKER["appraisal"]]["healthcheck"]["test"][1:]  # after "CMD"
    heartbeat = tmp_path / "worker.alive"
    env = {
        **os.environ,
        "SOFIFI_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'appraisal.db'}",
        "AMQP_URL": amqp_url,
        "WORKER_HEARTBEAT_FILE": str(heartbeat),
    }
    sofifi = str(Path(sys.executable).parent / "sofifi")

    def healthy() -> bool:
        command = [sys.executable if check[0] == "python" else check[0], *check[1:]]
        return subprocess.run(command, env=env, capture_output=True, check=False).returncode == 0

    subprocess.run([sofifi, "migrate", "appraisal"], env=env, check=True, capture_output=True)
    assert not healthy()  # no heartbeat yet
    worker = subprocess.Popen([sofifi, "worker", "appraisal"], env=env)
    try:
        deadline = time.monotonic() + 30
        while not heartbeat.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert healthy()
    finally:
        worker.terminate()
        assert worker.wait(30) == 0
    stale = time.time() - 60
    os.utime(heartbeat, (stale, stale))
    assert not healthy()  # a stopped worker's heartbeat goes stale


# -- PostgreSQL init script, run for real -----------------------------------------------------


@pytest.mark.postgres
def test_init_script_makes_one_private_database_per_name(postgres):
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = make_url(postgres.admin_url)
    names = [f"sofifi_init_{os.urandom(4).hex()}_{n}" for n in ("one", "two")]
    env = {
        **os.environ,
        "SOFIFI_DATABASES": " ".join(names),
        "POSTGRES_USER": admin.username or "postgres",
        "POSTGRES_DB": admin.database or "postgres",
        "PGHOST": admin.host or "127.0.0.1",
        "PGPORT": str(admin.port or 5432),
        "PGPASSWORD": admin.password or "",
        **{f"{n.upper()}_DB_PASSWORD": f"pw'{n}\"x" for n in names},
    }
    script = ROOT / "deploy/postgres/init-databases.sh"
    try:
        for _ in range(2):  # a second run changes nothing and does not fail
            done = subprocess.run([script], env=env, capture_output=True, text=True, check=False)
            assert done.returncode == 0, done.stderr
        with postgres.admin.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT d.datname, pg_get_userbyid(d.datdba), r.rolcanlogin,"
                    " has_database_privilege('public', d.datname, 'CONNECT')"
                    " FROM pg_database d JOIN pg_roles r ON r.rolname = d.datname"
                    " WHERE d.datname = ANY(:names)"
                ),
                {"names": names},
            ).all()
        assert sorted(rows) == sorted((n, n, True, False) for n in names)
        own = create_engine(admin.set(username=names[0], password="", database=names[0]))
        with own.begin() as connection:  # the owner may create its tables
            connection.execute(text("CREATE TABLE probe (id int)"))
        other = create_engine(admin.set(username=names[0], password="", database=names[1]))
        with pytest.raises(Exception, match="permission denied"), other.connect():
            pass
        own.dispose()
        other.dispose()
        missing = {**env, "SOFIFI_DATABASES": "sofifi_init_unset"}
        refused = subprocess.run([script], env=missing, capture_output=True, text=True, check=False)
        assert refused.returncode != 0 and "SOFIFI_INIT_UNSET_DB_PASSWORD" in refused.stderr
    finally:
        with postgres.admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                connection.execute(text(f'DROP ROLE IF EXISTS "{name}"'))


# -- Kubernetes manifests ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def k8s() -> dict[tuple[str, str], dict]:
    documents = {}
    for path in sorted((ROOT / "deploy/k8s").glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if document and document.get("kind") != "Kustomization":
                key = (document["kind"], document["metadata"]["name"])
                assert key not in documents, f"{key} defined twice"
                documents[key] = document
    return documents


def containers(document: dict) -> list[dict]:
    return document["spec"]["template"]["spec"]["containers"]


def test_k8s_names_every_service_with_a_web_a_worker_and_a_service(k8s):
    for name in SERVICE_NAMES:
        (web,) = containers(k8s["Deployment", f"{name}-web"])
        (worker,) = containers(k8s["Deployment", f"{name}-worker"])
        assert web["args"] == ["web", name] and worker["args"] == ["worker", name]
        assert k8s["Service", name]["spec"]["ports"][0]["port"] == PORTS[name]
        assert k8s["ConfigMap", "sofifi-config"]["data"][f"{name.upper()}_URL"] == (
            f"http://{name}:{PORTS[name]}"
        )
        assert "WORKER_HEARTBEAT_FILE" in " ".join(worker["livenessProbe"]["exec"]["command"])
    (gateway,) = containers(k8s["Deployment", "gateway"])
    assert gateway["args"] == ["web", "gateway"]
    hpa = k8s["HorizontalPodAutoscaler", "gateway"]["spec"]
    assert hpa["scaleTargetRef"]["name"] == "gateway" and hpa["maxReplicas"] > hpa["minReplicas"]
    job = k8s["Job", "sofifi-migrate"]["spec"]["template"]["spec"]
    assert [c["args"] for c in job["containers"]] == [["migrate", target] for target in TARGETS]
    assert job["restartPolicy"] == "OnFailure"


def test_k8s_web_pods_have_probes_and_a_128mi_limit(k8s):
    for name in WEB.values():
        (web,) = containers(k8s["Deployment", name])
        assert web["readinessProbe"]["httpGet"]["path"] == "/ready", name
        # The process only: a broker or database outage must not restart every pod.
        assert web["livenessProbe"]["httpGet"]["path"] == "/live", name
        assert web["resources"]["limits"]["memory"] == "128Mi", name
        assert web["resources"]["requests"]["memory"], name


def test_k8s_sets_only_variables_the_code_reads_and_no_secret_values(k8s):
    assert set(k8s["ConfigMap", "sofifi-config"]["data"]) <= ENV_NAMES
    for (kind, name), document in k8s.items():
        if kind in ("Deployment", "Job"):
            for container in containers(document):
                names = {item["name"] for item in container.get("env", [])}
                assert names <= ENV_NAMES, f"{name}: {names - ENV_NAMES}"
        if kind == "Secret":
            for key, value in document["stringData"].items():
                assert value == "CHANGE-ME" or urlsplit(value).password == "CHANGE-ME", key
    kustomization = yaml.safe_load((ROOT / "deploy/k8s/kustomization.yaml").read_text())
    assert "secrets.example.yaml" not in kustomization["resources"]
    listed = {p.name for p in (ROOT / "deploy/k8s").glob("*.yaml")} - {
        "kustomization.yaml",
        "secrets.example.yaml",
    }
    assert set(kustomization["resources"]) == listed


def test_k8s_private_key_only_reaches_the_gateway(k8s):
    for (kind, name), document in k8s.items():
        if kind != "Deployment":
            continue
        for volume in document["spec"]["template"]["spec"].get("volumes", []):
            secret = volume.get("secret")
            if secret and secret["secretName"] == "sofifi-jwt" and name != "gateway":
                assert [item["key"] for item in secret["items"]] == ["jwt-public.pem"], name
