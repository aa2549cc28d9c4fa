"""Set-up and administration: init, config, tokens, users, audit verification."""

from __future__ import annotations

import click

from cli.context import CliContext, pass_cli, reports_errors
from core import audit, migrate, tokens, users
from core.audit import SYSTEM
from core.roles import ALL_ROLES


@click.command()
@pass_cli
@reports_errors
def init(cli: CliContext) -> None:
    """Create the database or upgrade it to the latest schema."""
    revisions = migrate.upgrade(cli.runtime.db)
    click.echo(f"database ready at {cli.runtime.db.engine.url.render_as_string(hide_password=True)}")
    click.echo(f"schema revisions: {', '.join(revisions)}")


@click.command()
@pass_cli
@reports_errors
def config(cli: CliContext) -> None:
    """List every setting, its current value and what it does."""
    for row in cli.settings.describe():
        click.echo(f"{row['name']}={row['value']}")
        click.echo(f"    {row['description']}")


@click.group()
def token() -> None:
    """API tokens: create (shown once), list, revoke."""


@token.command("create")
@click.option("--role", required=True, type=click.Choice(ALL_ROLES), help="Role the token carries.")
@click.option("--name", required=True, help="Who or what uses the token, e.g. 'hubspot-sync'.")
@pass_cli
@reports_errors
def token_create(cli: CliContext, role: str, name: str) -> None:
    """Create an API token and print it once; only its hash is stored."""
    with cli.runtime.db.session(write=True) as session:
        created = tokens.create_token(session, role=role, name=name, actor=SYSTEM)
    click.echo(created.secret)
    click.echo(
        f"token {created.id} ({created.role}) for {created.name}; store it now, it is not shown again",
        err=True,
    )


@token.command("list")
@pass_cli
@reports_errors
def token_list(cli: CliContext) -> None:
    """List tokens (id, role, name, prefix, revoked)."""
    with cli.runtime.db.session() as session:
        for t in tokens.list_tokens(session):
            state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
            click.echo(f"{t.id}  {t.role:<10}  {t.name:<30}  {t.prefix}…  {state}")


@token.command("revoke")
@click.argument("token_id")
@pass_cli
@reports_errors
def token_revoke(cli: CliContext, token_id: str) -> None:
    """Revoke a token by id."""
    with cli.runtime.db.session(write=True) as session:
        tokens.revoke_token(session, token_id=token_id, actor=SYSTEM)
    click.echo(f"revoked {token_id}")


@click.group()
def user() -> None:
    """Web users."""


@user.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(ALL_ROLES))
@click.option("--display-name", default="")
@click.password_option(help="At least 10 characters.")
@pass_cli
@reports_errors
def user_create(cli: CliContext, username: str, role: str, display_name: str, password: str) -> None:
    """Create a web user who signs in with a password."""
    with cli.runtime.db.session(write=True) as session:
        created = users.create_user(
            session, username=username, password=password, role=role, display_name=display_name, actor=SYSTEM
        )
    click.echo(f"user {created.username} ({created.role}) created")


@click.group("audit")
def audit_group() -> None:
    """The hash-chained audit log."""


@audit_group.command("verify")
@pass_cli
@reports_errors
def audit_verify(cli: CliContext) -> None:
    """Recompute the chain; exit 1 and list the problems if any entry was changed or deleted."""
    with cli.runtime.db.session() as session:
        result = audit.verify(session)
    click.echo(f"checked {result.checked} entries; head #{result.head_seq} {result.head_hash[:16]}…")
    if result.ok:
        click.echo("audit log intact")
        return
    for problem in result.problems:
        click.echo(f"PROBLEM: {problem}", err=True)
    raise click.exceptions.Exit(1)


COMMANDS = [init, config, token, user, audit_group]
