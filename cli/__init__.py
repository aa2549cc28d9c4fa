"""The `concord` command: set-up, service, tokens, audit, sample data, jobs, exports and benchmarks."""

from __future__ import annotations

import click

from cli import admin, backup, bench, catalog, consent, demo, exports, identity, jobs, lineage, service
from cli.context import CliContext

COMMAND_MODULES = [admin, service, bench, jobs, backup, demo, identity, consent, exports, catalog, lineage]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(ctx: click.Context) -> None:
    """Concord: governance for customer data (catalogue, lineage, consent, compliant exports)."""
    ctx.obj = ctx.obj or CliContext()


for _module in COMMAND_MODULES:
    for _command in _module.COMMANDS:
        main.add_command(_command)
