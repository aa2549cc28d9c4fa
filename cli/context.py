"""What CLI commands share: settings and runtime, built on first use, with errors that say what to do."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from app import build_runtime
from core.errors import ConcordError
from core.logs import configure_logging
from core.runtime import Runtime
from core.settings import Settings


class CliContext:
    """Lazily built settings and runtime; tests pass their own."""

    def __init__(self, settings: Settings | None = None, runtime: Runtime | None = None):
        self._settings = settings
        self._runtime = runtime

    @property
    def settings(self) -> Settings:
        """Settings from the environment (read on first use)."""
        if self._settings is None:
            self._settings = Settings.from_env()
            configure_logging(self._settings)
        return self._settings

    @property
    def runtime(self) -> Runtime:
        """Database and emitter for these settings."""
        if self._runtime is None:
            self._runtime = build_runtime(self.settings)
        return self._runtime


def reports_errors(command: Callable) -> Callable:
    """Turn Concord's errors into a one-line message and exit code 1 instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any):
        try:
            return command(*args, **kwargs)
        except ConcordError as exc:
            where = f" ({exc.field})" if exc.field else ""
            raise click.ClickException(f"{exc.message}{where}") from None

    return wrapper


pass_cli = click.make_pass_decorator(CliContext, ensure=True)
