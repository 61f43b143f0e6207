"""The README keeps its promises: the two commands first, and every setting documented."""

from __future__ import annotations

from pathlib import Path

from sofifi.registry import env_vars

ROOT = Path(__file__).resolve().parents[2]


def test_readme_starts_with_make_run_and_make_test():
    head = (ROOT / "README.md").read_text().splitlines()[:8]
    assert any(line.startswith("make run") for line in head)
    assert any(line.startswith("make test") for line in head)


def test_every_setting_the_code_reads_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text()
    missing = [var.name for var in env_vars() if f"| `{var.name}` |" not in readme]
    assert not missing, f"add these to the README's configuration table: {missing}"


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
