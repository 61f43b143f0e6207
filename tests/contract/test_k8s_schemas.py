"""The Kubernetes manifests (deploy/k8s) validated against the Kubernetes API's own JSON schemas.

The schemas ship inside the `kubernetes-validate` wheel (every Kubernetes release since 1.x,
generated from the API's OpenAPI documents): no network at test time. Strict mode refuses a
field the API does not know (a typo such as `livenesProbe` is otherwise ignored by the API
server and silently loses the probe). kustomization.yaml is kustomize's, not the API's: the
contract tests check it (test_compose.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from kubernetes_validate import utils

ROOT = Path(__file__).resolve().parents[2]
# An older release still met in data centres, and the newest the wheel knows.
VERSIONS = ("1.28.0", utils.latest_version())
MANIFESTS = sorted(
    path for path in (ROOT / "deploy/k8s").glob("*.yaml") if path.name != "kustomization.yaml"
)


def documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("path", MANIFESTS, ids=lambda path: path.name)
def test_manifest_follows_the_kubernetes_schemas(path, version):
    for document in documents(path):
        try:
            utils.validate(document, version, strict=True)
        except utils.ValidationError as error:
            where = ".".join(str(part) for part in error.path)
            pytest.fail(f"{path.name}: {document['kind']} {where}: {error.message}")


def test_a_misspelt_field_is_refused():
    (deployment, *_) = [d for d in documents(ROOT / "deploy/k8s/gateway.yaml")
                        if d["kind"] == "Deployment"]  # fmt: skip
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["livenesProbe"] = container.pop("livenessProbe", {})
    with pytest.raises(utils.ValidationError):
        utils.validate(deployment, VERSIONS[-1], strict=True)


def test_every_manifest_is_checked():
    kinds = {doc["kind"] for path in MANIFESTS for doc in documents(path)}
    assert {"Deployment", "Service", "ConfigMap", "Job", "HorizontalPodAutoscaler"} <= kinds
