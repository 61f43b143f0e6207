"""`sofifi demo`: a generated province loaded into the running platform through its gateway."""

from __future__ import annotations

import sys

import click

from sofifi.demo.province import MIN_SIZE


@click.command()
@click.option(
    "--size",
    default=300,
    show_default=True,
    type=click.IntRange(MIN_SIZE, 5000),
    help="People on the demo roster.",
)
@click.option("--seed", default=1, show_default=True, help="Another seed, another province.")
@click.option(
    "--year",
    type=click.IntRange(2001, 2099),
    default=None,
    help="The appraised year (default: last year); the CPNS selection is the next.",
)
@click.option(
    "--gateway",
    "gateway_url",
    default=None,
    help="The running platform's gateway (default http://127.0.0.1:$PORT, :8080).",
)
@click.option("--force", is_flag=True, help="Add the demo to a platform holding other data.")
@click.option(
    "--timeout",
    default=120.0,
    show_default=True,
    help="Seconds to wait for the events of a step to be handled.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def demo(
    size: int,
    seed: int,
    year: int | None,
    gateway_url: str | None,
    force: bool,
    timeout: float,
    as_json: bool,
) -> None:
    """Fill the running platform with a generated province to explore (idempotent)."""
    from sofifi.demo.run import run_demo

    sys.exit(
        run_demo(
            size=size,
            seed=seed,
            year=year,
            gateway_url=gateway_url,
            force=force,
            timeout=timeout,
            as_json=as_json,
            say=click.echo,
        )
    )
