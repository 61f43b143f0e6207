"""The import contracts of pyproject.toml hold here, and really fail on a breaking import.

The contracts are copied as they are into a tiny fake tree of the same packages in tmp_path, so
that the very rules `make lint` runs are shown to catch a service importing another.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
FAKE_TREE = {
    "chassis/__init__.py": "",
    "chassis/web.py": "import contracts\n",
    "contracts/__init__.py": "",
    "services/__init__.py": "",
    "services/recruitment/__init__.py": "",
    "services/recruitment/app.py": "from chassis import web\n",
    "services/appraisal/__init__.py": "",
    "services/appraisal/app.py": "from chassis import web\n",
    "services/training/__init__.py": "",
    "services/awards/__init__.py": "",
    "services/feedback/__init__.py": "",
    "gateway/__init__.py": "",
    "gateway/app.py": "from chassis import web\n",
    "sofifi/__init__.py": "",
    "sofifi/registry.py": "import gateway.app\nimport services.recruitment.app\n",
}


def _toml(contracts: dict) -> str:
    """The [tool.importlinter] tables as TOML (strings and lists of strings only)."""

    def value(item) -> str:
        if isinstance(item, list):
            return "[" + ", ".join(value(part) for part in item) + "]"
        return '"' + str(item).replace('"', '\\"') + '"'

    lines = ["[tool.importlinter]"]
    lines += [f"{k} = {value(v)}" for k, v in contracts.items() if k != "contracts"]
    for contract in contracts["contracts"]:
        lines += ["", "[[tool.importlinter.contracts]]"]
        lines += [f"{k} = {value(v)}" for k, v in contract.items()]
    return "\n".join(lines) + "\n"


def lint_fake_tree(root: Path, extra: dict[str, str]) -> subprocess.CompletedProcess:
    """Run lint-imports with the project's contracts over the fake tree plus `extra` files."""
    for name, text in {**FAKE_TREE, **extra}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "pyproject.toml").write_text(_toml(CONTRACTS))
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_real_code_keeps_every_contract():
    result = subprocess.run(
        [LINT_IMPORTS, "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(CONTRACTS['contracts'])} kept, 0 broken" in result.stdout


def test_the_fake_tree_alone_keeps_every_contract(tmp_path):
    result = lint_fake_tree(tmp_path, {})
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("path", "text", "contract"),
    [
        (
            "services/appraisal/ratings.py",
            "from services.recruitment import app\n",
            "no service imports another",
        ),
        ("chassis/cli.py", "import services.recruitment.app\n", "the chassis imports no service"),
        ("chassis/runner.py", "from sofifi import registry\n", "the chassis imports no service"),
        ("gateway/proxy.py", "import services.training\n", "the gateway imports no service"),
        ("contracts/events.py", "import gateway.app\n", "the event contracts import no"),
        ("services/awards/api.py", "import sofifi.registry\n", "the services import neither"),
    ],
)
def test_a_breaking_import_breaks_its_contract(tmp_path, path, text, contract):
    result = lint_fake_tree(tmp_path, {path: text})
    assert result.returncode != 0, result.stdout
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    # (An import of the wiring from a service also breaks independence, through the wiring.)
    assert any(line.startswith(contract) for line in broken), result.stdout
