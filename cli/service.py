"""Running the service: development server or gunicorn in production."""

from __future__ import annotations

import logging

import click

from app import create_app
from cli.context import CliContext, pass_cli, reports_errors
from cli.prod_server import ServeOptions, serve_prod
from core import migrate


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--prod", is_flag=True, help="Serve with gunicorn (several worker processes).")
@click.option("--workers", type=click.IntRange(1), help="Worker processes with --prod [CONCORD_WEB_WORKERS].")
@click.option(
    "--threads", type=click.IntRange(1), help="Threads per worker with --prod [CONCORD_WEB_THREADS]."
)
@click.option(
    "--timeout", type=click.IntRange(1), help="Worker timeout and shutdown grace, seconds, with --prod."
)
@click.option(
    "--max-requests",
    type=click.IntRange(0),
    help="Requests before a worker is replaced, with --prod (0 = never).",
)
@pass_cli
@reports_errors
def serve(
    cli: CliContext,
    host: str,
    port: int,
    prod: bool,
    workers: int | None,
    threads: int | None,
    timeout: int | None,
    max_requests: int | None,
) -> None:
    """Serve the API and web pages (upgrade the database first with `concord init`)."""
    settings = cli.settings
    if not migrate.is_current(cli.runtime.db.engine):
        raise click.ClickException("the database schema is not current; run `concord init` first")
    click.echo(f"Concord listening on http://{host}:{port}/  (API docs: http://{host}:{port}/api/v1/docs)")
    if prod:
        # Workers open their own connections after the fork; none may share the parent's sockets.
        cli.runtime.db.dispose()
        opts = ServeOptions(
            host=host,
            port=port,
            workers=workers or settings.web_workers,
            threads=threads or settings.web_threads,
            timeout=timeout or settings.web_timeout_seconds,
            max_requests=settings.web_max_requests if max_requests is None else max_requests,
        )
        serve_prod(settings, opts)
    else:
        # The app writes its own access log; werkzeug's per-request lines would repeat it.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        create_app(settings, runtime=cli.runtime).run(host=host, port=port, threaded=True, use_reloader=False)


COMMANDS = [serve]
