"""`sofifi`: the one console command that drives the platform.

Services and the gateway are found by name through `sofifi.registry`, imported only when a
command needs them; nothing here knows a domain rule.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from chassis.jobs_cli import job_group
from sofifi.demo import demo
from sofifi.registry import ALL_TARGETS, SERVICE_NAMES, consumers, load_spec, migrations_dir
from sofifi.registry import settings as settings_of


def migration_target(name: str) -> tuple[Path, str]:
    """The migrations folder and database URL of a service or the gateway."""
    return migrations_dir(name), settings_of(name).database_url


@click.group()
def main() -> None:
    """Sofifi ASN platform: run, migrate and operate the services and the gateway."""


@main.command()
@click.argument("targets", nargs=-1, type=click.Choice([*ALL_TARGETS, "all"]))
def migrate(targets: tuple[str, ...]) -> None:
    """Bring databases up to date (all of them when no name is given)."""
    from chassis.migrations import upgrade

    names = ALL_TARGETS if not targets or "all" in targets else targets
    for name in names:
        folder, url = migration_target(name)
        upgrade(folder, url)
        click.echo(f"{name}: migrated")


@main.command()
@click.argument("target", type=click.Choice(ALL_TARGETS))
@click.option("-m", "--message", required=True, help="What the migration changes.")
def revision(target: str, message: str) -> None:
    """Write a new migration for TARGET from the difference between models and database."""
    from chassis.migrations import revision as write_revision
    from chassis.migrations import upgrade

    folder, url = migration_target(target)
    upgrade(folder, url)
    write_revision(folder, url, message)


@main.command()
def keys() -> None:
    """Make the dev RS256 key pair under var/keys unless it exists (never commit it)."""
    from chassis.auth import generate_keypair

    settings = settings_of("gateway")
    made = generate_keypair(settings.jwt_private_key_file, settings.jwt_public_key_file)
    state = "written" if made else "already there"
    click.echo(f"keys {state}: {settings.jwt_private_key_file}, {settings.jwt_public_key_file}")


@main.command()
@click.argument("target", type=click.Choice(ALL_TARGETS))
def web(target: str) -> None:
    """Serve TARGET's web app under gunicorn (replaces this process)."""
    from sofifi.runner import web_command, web_environment

    settings = settings_of(target)
    os.environ.update(web_environment(target, settings))
    command = web_command(target)
    os.execvp(command[0], command)  # noqa: S606 - gunicorn takes over this process


@main.command()
@click.argument("service", type=click.Choice(SERVICE_NAMES))
def worker(service: str) -> None:
    """Run SERVICE's outbox relay and event consumer until stopped."""
    from chassis.worker import run_worker

    sys.exit(run_worker(load_spec(service), settings_of(service), consumers()))


@main.command()
@click.option("--skip-setup", is_flag=True, help="Do not make keys or migrate first.")
def run(skip_setup: bool) -> None:
    """Run the whole platform locally: gateway on :8080, five services, five workers."""
    from sofifi.runner import run_stack

    sys.exit(run_stack(skip_setup=skip_setup))


@main.group()
def topology() -> None:
    """The broker topology (exchange, queues, dead-letter queues, bindings)."""


@topology.command("declare")
def topology_declare() -> None:
    """Declare the whole topology on the broker named by AMQP_URL (idempotent)."""
    from chassis.bus import connect
    from chassis.worker import topology_for

    settings = settings_of("gateway")
    connection = connect(settings.amqp_url)
    try:
        topology_for(settings).declare(connection, consumers())
    finally:
        connection.release()
    click.echo(f"declared on {connection.as_uri()}")


@topology.command("definitions")
@click.option("--write", "path", type=click.Path(dir_okay=False, path_type=Path))
def topology_definitions(path: Path | None) -> None:
    """Print (or --write) the topology as a RabbitMQ definitions file."""
    from chassis import accounts
    from chassis.worker import topology_for

    settings = settings_of("gateway")
    document = topology_for(settings).definitions(consumers())
    # What each service's own broker user may declare, read and publish (chassis.accounts).
    document.update(accounts.definitions(SERVICE_NAMES, settings.event_exchange))
    text = json.dumps(document, indent=2, sort_keys=True) + "\n"
    if path is None:
        click.echo(text, nl=False)
    else:
        path.write_text(text)
        click.echo(f"wrote {path}")


@main.group("dead-letters")
def dead_letters() -> None:
    """Events a service's consumer gave up on."""


@dead_letters.command("list")
@click.argument("service", type=click.Choice(SERVICE_NAMES))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def dead_letters_list(service: str, as_json: bool) -> None:
    """List SERVICE's dead letters (they stay in the queue)."""
    from chassis.bus import connect
    from chassis.deadletters import list_dead_letters
    from chassis.worker import topology_for

    settings = settings_of(service)
    with connect(settings.amqp_url) as connection:
        letters = list_dead_letters(connection, topology_for(settings), service)
    for letter in letters:
        if as_json:
            click.echo(json.dumps(letter.to_dict(), default=str))
        else:
            click.echo(
                f"{letter.event_id}  {letter.event_type}  reason={letter.reason}  "
                f"correlation={letter.correlation_id}  since={letter.dead_since}"
            )
    if not as_json:
        click.echo(f"{len(letters)} dead letter(s) for {service}")


@dead_letters.command("replay")
@click.argument("service", type=click.Choice(SERVICE_NAMES))
@click.option("--event-id", "event_ids", multiple=True, help="Replay only these (repeatable).")
@click.option("--all", "replay_all", is_flag=True, help="Replay every dead letter.")
def dead_letters_replay(service: str, event_ids: tuple[str, ...], replay_all: bool) -> None:
    """Send SERVICE's dead letters back to its queue (after the cause is fixed)."""
    from chassis.bus import connect
    from chassis.deadletters import replay_dead_letters
    from chassis.worker import topology_for

    if not event_ids and not replay_all:
        raise click.UsageError("name --event-id ID (repeatable) or --all")
    settings = settings_of(service)
    with connect(settings.amqp_url) as reader, connect(settings.amqp_url) as writer:
        replayed = replay_dead_letters(
            reader, writer, topology_for(settings), service, None if replay_all else event_ids
        )
    for event_id in replayed:
        click.echo(f"replayed {event_id}")
    click.echo(f"{len(replayed)} dead letter(s) replayed to {service}")
    missing = set(event_ids) - set(replayed)
    if missing:
        click.echo(f"not found: {', '.join(sorted(missing))}", err=True)
        sys.exit(1)


@main.command()
@click.option("--write", "path", type=click.Path(dir_okay=False, path_type=Path))
def asyncapi(path: Path | None) -> None:
    """Print (or --write) the AsyncAPI document of every event."""
    from contracts.asyncapi import render

    text = render(consumers())
    if path is None:
        click.echo(text, nl=False)
    else:
        path.write_text(text)
        click.echo(f"wrote {path}")


@main.group()
def user() -> None:
    """Gateway user accounts."""


@user.command("create")
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", "roles", multiple=True, required=True, help="Repeatable.")
@click.option("--nip", default=None, help="The user's NIP (employees, supervisors).")
@click.option("--unit", default=None, help="The user's unit code.")
def user_create(
    username: str, password: str, roles: tuple[str, ...], nip: str | None, unit: str | None
) -> None:
    """Create a gateway user with a hashed password, roles, NIP and unit."""
    from gateway.users import create_user_command

    try:
        create_user_command(settings_of("gateway"), username, password, roles, nip, unit)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"user {username} created with roles {', '.join(sorted(set(roles)))}")


@user.command("deactivate")
@click.option("--username", required=True)
def user_deactivate(username: str) -> None:
    """Deactivate a gateway user: no more logins, and every token they hold is refused now."""
    from gateway.users import deactivate_user_command

    try:
        deactivate_user_command(settings_of("gateway"), username)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"user {username} deactivated; their tokens are revoked")


main.add_command(demo)
main.add_command(job_group(load_spec, SERVICE_NAMES))
