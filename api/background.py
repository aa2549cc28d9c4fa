"""Work a request starts and does not wait for (an export, a dry-run, a scan): a daemon thread that logs its failure.

The work records its own progress and outcome in the database, so any process can show it; a thread
cut off by a restart leaves a record whose heartbeat stops, which readers report as interrupted.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


def start(name: str, work: Callable[..., Any], **kwargs: Any) -> threading.Thread:
    """Run `work(**kwargs)` in a daemon thread named `name`; an exception is logged, not raised."""

    def run() -> None:
        try:
            work(**kwargs)
        except Exception:
            log.exception("background work %s failed", name)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread
