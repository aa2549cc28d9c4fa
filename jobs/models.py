"""Storage rows owned by jobs: one row per job run."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.types import JSONDoc, UTCDateTime


class JobRun(SQLModel, table=True):
    """A job run: written when it starts (outcome `running`) and completed when it ends."""

    __tablename__ = "job_run"
    __table_args__ = (sa.Index("ix_job_run_job_started", "job", "started_at"),)

    run_id: str = Field(primary_key=True, max_length=36)
    job: str = Field(max_length=120)
    trigger: str = Field(max_length=20)
    outcome: str = Field(max_length=10)
    started_at: datetime = Field(sa_type=UTCDateTime, index=True)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    counts: dict = Field(default_factory=dict, sa_type=JSONDoc)
    message: str = Field(default="", sa_type=sa.Text)
    host: str = Field(max_length=200)
    pid: int


__all__ = ["JobRun"]
