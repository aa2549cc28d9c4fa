"""What a running Concord process holds: settings, the database and the lineage emitter."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from core.db import Database
from core.openlineage import NULL_EMITTER, Emitter
from core.settings import Settings


@dataclass
class Runtime:
    """Shared by the web app, the CLI and the scheduler; built once per process."""

    settings: Settings
    db: Database
    emitter: Emitter = NULL_EMITTER
    # Set when the process begins a graceful shutdown: readiness turns false, the scheduler stops.
    stopping: threading.Event = field(default_factory=threading.Event)

    def close(self) -> None:
        """Release database connections."""
        self.db.dispose()
