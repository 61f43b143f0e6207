"""`python -m bench`: run every benchmark module of this package, print their figures as JSON.

Each module runs in its own process (`python -m bench.<name>`), one after the other so that they
do not compete for the machine; its JSON output is collected under its name. Extra arguments are
not passed on: each module runs with its defaults. The chaos bench (bench/chaos.py) is left out:
it starts RabbitMQ nodes of its own and has its own targets (`make chaos`, `make cluster`).
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

SEPARATE = frozenset({"chaos"})  # run by their own make targets, not by `python -m bench`


def bench_modules() -> list[str]:
    """Names of the benchmark modules next to this file."""
    folder = Path(__file__).parent
    return sorted(
        info.name
        for info in pkgutil.iter_modules([str(folder)])
        if not info.name.startswith("_") and not info.ispkg and info.name not in SEPARATE
    )


def run_module(name: str, timeout: float = 1800) -> dict:
    """Run `bench.<name>` and return its JSON (or what went wrong)."""
    try:
        result = subprocess.run(
            [sys.executable, "-m", f"bench.{name}"],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {timeout} s"}
    if result.returncode != 0:
        return {"error": f"exit code {result.returncode}", "stderr": result.stderr[-2000:]}
    try:
        return json.loads(result.stdout)
    except ValueError:
        return {"error": "did not print JSON", "stdout": result.stdout[-2000:]}


def main() -> int:
    """Run them all; exit 1 when one of them failed."""
    figures = {}
    for name in bench_modules():
        print(f"running bench.{name} ...", file=sys.stderr, flush=True)
        figures[name] = run_module(name)
    print(json.dumps(figures, indent=2))
    return 1 if any("error" in result for result in figures.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
