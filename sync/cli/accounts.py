"""`login`, `logout` and `whoami`: the accounts progsync pushes to.
"""

from __future__ import annotations

import click

from progsync.sync.cli.base import _config, _members, _to_option, cli
from progsync.sync.settings.config import SERVICES


@cli.command()
@click.argument("service", type=click.Choice(SERVICES))
@click.option("--athlete-id", help="Intervals.icu athlete id (i12345, or 0 for the key's owner).")
@click.option(
    "--api-key-stdin", is_flag=True, help="Read the Intervals.icu API key from standard input."
)
@click.option(
    "--athlete",
    "athlete",
    metavar="NAME",
    help="Coach mode: store this roster athlete's Garmin tokens (Intervals.icu uses your key).",
)
@click.pass_context
def login(
    ctx: click.Context,
    service: str,
    athlete_id: str | None,
    api_key_stdin: bool,
    athlete: str | None,
) -> int:
    """Store credentials for SERVICE in the OS keyring (verified with one call)."""
    from progsync.sync.app.accounts import login_garmin, login_intervals

    if service == "intervals":
        message = login_intervals(_config(ctx), athlete_id, api_key_stdin)
    else:
        ((_, config),) = _members(ctx, (athlete,) if athlete else ())
        message = login_garmin(config)
    click.echo(message)
    return 0


@cli.command()
@click.argument("service", type=click.Choice(SERVICES))
def logout(service: str) -> int:
    """Remove SERVICE's credentials from the keyring."""
    from progsync.sync.app.accounts import logout as do_logout

    click.echo(do_logout(service))
    return 0


@cli.command()
@_to_option
@click.pass_context
def whoami(ctx: click.Context, to: tuple[str, ...]) -> int:
    """Show the account in use for each connected service."""
    from progsync.sync.app.accounts import whoami as who

    for line in who(_config(ctx), to):
        click.echo(line)
    return 0
