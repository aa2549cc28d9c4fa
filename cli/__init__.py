"""The `concord` command: set-up, service, tokens, audit, sample data, jobs, exports and benchmarks."""

from __future__ import annotations

import click

from cli import admin, bench, catalog, demo, lineage, service
from cli.context import CliContext

COMMAND_MODULES = [admin, service, bench, demo, catalog, lineage]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(ctx: click.Context) -> None:
    """Concord: governance for customer data (catalogue, lineage, consent, compliant exports)."""
    ctx.obj = ctx.obj or CliContext()


for _module in COMMAND_MODULES:
    for _command in _module.COMMANDS:
        main.add_command(_command)
