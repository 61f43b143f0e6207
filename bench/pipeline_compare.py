"""The pipeline bench on another git revision and on this tree, alternating, in one run.

Issue 8 must show the pipeline "before and after in one run: no slower". The other revision is
checked out in a temporary `git worktree` (removed after) and each side runs its own
`python -m bench.pipeline` (its own harness on its own code) on the same broker and PostgreSQL,
with the same workload: `--events`, one writer, `--per-transaction` events per transaction
added with one `add_many`, no Nameko peer (each flag only where that side's bench has it), and
with `--stand-in` consumers that only record events in their inbox (the chassis alone).
The rounds go before, after, before, after, ... so that a change in the machine's other work
falls on both sides; it prints every round and, per side, the medians of the sustained and
backlog rates and of the pipeline's own CPU per event (steadier on a busy machine), and the
ratios after / before (JSON).

The same interpreter serves both sides when the revision's dependencies are a subset of this
tree's (they only grew since issue 8); otherwise pass `--before-python` (a venv of its own).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The parent of the first commit of issue 8 ("Unit of work, domain refusals and the
# framework-free principal"): the platform as it was before issue 8 began.
BEFORE = "47000f8^"
COMPARED = (
    "sustained_events_per_s",
    "backlog_events_per_s",
    "pipeline_cpu_us_per_event",
    "cpu_bound_events_per_s",
)


def git(*args: str, cwd: Path = ROOT) -> str:
    """Run git in `cwd` and return its output."""
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


@contextmanager
def checkout(revision: str) -> Iterator[Path]:
    """`revision` in a temporary detached worktree, removed after."""
    folder = Path(tempfile.mkdtemp(prefix="sofifi-before-"))
    tree = folder / "tree"
    git("worktree", "add", "--detach", str(tree), revision)
    try:
        yield tree
    finally:
        git("worktree", "remove", "--force", str(tree))
        folder.rmdir()


def dependencies(tree: Path) -> set[str]:
    """The runtime dependencies a tree's pyproject.toml declares."""
    with (tree / "pyproject.toml").open("rb") as file:
        return set(tomllib.load(file)["project"]["dependencies"])


def bench_flags(python: str, tree: Path) -> set[str]:
    """The options that tree's pipeline bench takes."""
    shown = run_in(python, tree, ["-m", "bench.pipeline", "--help"])
    return set(re.findall(r"--[a-z][a-z-]*", shown))


def run_in(python: str, tree: Path, args: list[str]) -> str:
    """Run `python args` with `tree`'s packages first on the path (not the installed ones)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([python, *args], cwd=tree, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} in {tree} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def side_args(args: argparse.Namespace, flags: set[str]) -> list[str]:
    """The same workload, in the words of one side's bench."""
    argv = [
        f"--events={args.events}",
        f"--per-transaction={args.per_transaction}",
        f"--raw-messages={args.raw_messages}",
        f"--lag-seconds={args.lag_seconds}",
    ]
    if "--add-many" in flags:  # before: one outbox.add per event unless asked
        argv.append("--add-many")
    if "--writers" in flags:  # after: ten writers unless asked; before had one
        argv.append("--writers=1")
    if "--no-peer" in flags:
        argv.append("--no-peer")
    if args.stand_in:  # both sides have it: the chassis alone, without the domain's handlers
        argv.append("--stand-in")
    return argv


def one_round(python: str, tree: Path, argv: list[str]) -> dict[str, Any]:
    """One run of that side's bench: the figures compared."""
    figures = json.loads(run_in(python, tree, ["-m", "bench.pipeline", *argv]))
    sustained = figures["sustained"]
    return {
        "sustained_events_per_s": sustained["events_per_s"],
        "backlog_events_per_s": figures["backlog"]["events_per_s"],
        # The pipeline's own CPU per event (its processes, databases and broker): on a busy
        # machine a steadier measure than the rates, which other work slows.
        "pipeline_cpu_us_per_event": sustained["cpu_us_per_event"]["pipeline"],
        "cpu_bound_events_per_s": sustained["cpu_bound_events_per_s"],
        "cpu_us_per_event": sustained["cpu_us_per_event"],
        "lag_p99_ms": figures["lag"].get("p99_ms"),
        "load": [figures["machine"]["load_before"], figures["machine"]["load_after"]],
        "worker_log_errors": figures.get("worker_log_errors"),
    }


def summary(rounds: list[dict[str, Any]], side: str) -> dict[str, Any]:
    """Medians of one side's rounds."""
    mine = [r for r in rounds if r["side"] == side]
    return {key: statistics.median(r[key] for r in mine) for key in COMPARED}


def compare(args: argparse.Namespace) -> dict[str, Any]:
    """Alternate the two sides' benches and put their figures side by side."""
    after_tree = ROOT
    after_revision = git("rev-parse", "--short", "HEAD")
    if git("status", "--porcelain", "--untracked-files=no"):
        after_revision += " with uncommitted changes"
    python = sys.executable
    with checkout(args.before) as before_tree:
        before_python = args.before_python or python
        if not args.before_python and not dependencies(before_tree) <= dependencies(after_tree):
            raise SystemExit(
                "the revision needs other dependencies: give it a venv with --before-python"
            )
        sides = {
            "before": (before_python, before_tree),
            "after": (python, after_tree),
        }
        for name, (interpreter, tree) in sides.items():
            where = run_in(interpreter, tree, ["-c", "import chassis; print(chassis.__file__)"])
            if not Path(where.strip()).is_relative_to(tree):
                raise SystemExit(f"{name}: chassis comes from {where.strip()}, not {tree}")
        argvs = {name: side_args(args, bench_flags(*side)) for name, side in sides.items()}
        rounds = []
        for number in range(args.rounds):
            for name in ("before", "after"):
                figures = one_round(*sides[name], argvs[name])
                rounds.append({"round": number + 1, "side": name, **figures})
                print(json.dumps(rounds[-1]), file=sys.stderr, flush=True)
    before, after = summary(rounds, "before"), summary(rounds, "after")
    return {
        "benchmark": "pipeline_compare",
        "before": {"revision": git("rev-parse", "--short", args.before), "argv": argvs["before"]},
        "after": {
            "revision": f"{after_revision} (this tree)",
            "argv": argvs["after"],
        },
        "cpus": os.cpu_count(),
        "rounds": rounds,
        "median_before": before,
        "median_after": after,
        "ratio_after_to_before": {
            key: round(after[key] / before[key], 2) if before[key] else None for key in before
        },
    }


def main(argv: list[str] | None = None) -> None:
    """Run the comparison and print its figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="the git revision to compare with")
    parser.add_argument("--before-python", help="its interpreter, when its dependencies differ")
    parser.add_argument("--rounds", type=int, default=2, help="before/after pairs")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--per-transaction", type=int, default=10)
    parser.add_argument("--raw-messages", type=int, default=10_000)
    parser.add_argument("--lag-seconds", type=float, default=5.0)
    parser.add_argument(
        "--stand-in",
        action="store_true",
        help="consumers record events in their inbox only (the chassis without the handlers, "
        "which grew with the domain since)",
    )
    print(json.dumps(compare(parser.parse_args(argv)), indent=2))


if __name__ == "__main__":
    main()
