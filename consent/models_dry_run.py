"""Storage row of a policy dry-run: who asked, how far it got, and what it found (kept as a record)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.types import JSONDoc, UTCDateTime


class PolicyDryRunRow(SQLModel, table=True):
    """One dry-run of a policy version against the data of its day: progress, then result or failure."""

    __tablename__ = "consent_policy_dry_run"

    id: str = Field(primary_key=True, max_length=40)
    version: str = Field(max_length=80, index=True)
    active_version: str = Field(max_length=80)
    state: str = Field(max_length=10)  # running | done | failed
    requested_by: str = Field(max_length=200)
    requested_at: datetime = Field(sa_type=UTCDateTime)
    heartbeat_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    customers_total: int = Field(default=0)
    customers_done: int = Field(default=0)
    result: dict | None = Field(default=None, sa_type=JSONDoc)
    message: str = Field(default="", sa_type=sa.Text)


__all__ = ["PolicyDryRunRow"]
