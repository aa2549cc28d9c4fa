"""The emitter's local sink: Concord's own OpenLineage events go into its own lineage store."""

from __future__ import annotations

import logging
from typing import Any

from core.db import Database
from core.errors import ConcordError
from lineage.ingest import ingest_event
from lineage.pipeline import INTERNAL

log = logging.getLogger(__name__)


class LocalSink:
    """Ingests each event dict in its own write session, as the internal `ingest` principal."""

    def __init__(self, db: Database):
        self.db = db

    def __call__(self, event: dict[str, Any]) -> None:
        with self.db.session(write=True) as session:
            try:
                ingest_event(session, event=event, actor=INTERNAL)
            except ConcordError as exc:  # our own event should always be valid; say so loudly if not
                log.error("Concord's own lineage event was rejected: %s (%s)", exc.message, exc.field)
