"""Running the service: development server or gunicorn in production."""

from __future__ import annotations

import click

from app import create_app
from cli.context import CliContext, pass_cli, reports_errors
from core import migrate


class _Gunicorn:
    """Runs `create_app` under gunicorn; each worker builds its own app after the fork."""

    def __init__(self, settings, options: dict):
        from gunicorn.app.base import BaseApplication

        outer = self

        class Application(BaseApplication):
            def load_config(self):
                for key, value in options.items():
                    self.cfg.set(key, value)

            def load(self):
                return create_app(outer.settings)

        self.settings = settings
        self.application = Application()

    def run(self) -> None:
        self.application.run()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--prod", is_flag=True, help="Serve with gunicorn (several worker processes).")
@click.option("--workers", default=2, show_default=True, type=int, help="Worker processes with --prod.")
@pass_cli
@reports_errors
def serve(cli: CliContext, host: str, port: int, prod: bool, workers: int) -> None:
    """Serve the API and web pages (upgrade the database first with `concord init`)."""
    settings = cli.settings
    if not migrate.is_current(cli.runtime.db.engine):
        raise click.ClickException("the database schema is not current; run `concord init` first")
    click.echo(f"Concord listening on http://{host}:{port}/  (API docs: http://{host}:{port}/api/v1/docs)")
    if prod:
        _Gunicorn(settings, {"bind": f"{host}:{port}", "workers": workers, "accesslog": "-"}).run()
    else:
        create_app(settings, runtime=cli.runtime).run(host=host, port=port, threaded=True, use_reloader=False)


COMMANDS = [serve]
