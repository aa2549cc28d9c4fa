"""What a running Concord process holds: settings, the database and the lineage emitter."""

from __future__ import annotations

from dataclasses import dataclass

from core.db import Database
from core.openlineage import NULL_EMITTER, Emitter
from core.settings import Settings


@dataclass
class Runtime:
    """Shared by the web app, the CLI and the scheduler; built once per process."""

    settings: Settings
    db: Database
    emitter: Emitter = NULL_EMITTER

    def close(self) -> None:
        """Release database connections."""
        self.db.dispose()
