"""Storage row of a file taken from a source system's feed folder: ingested once, or failed with its error."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.types import JSONDoc, UTCDateTime


class FeedFileRow(SQLModel, table=True):
    """One feed file by content: written in the same transaction as its records, so a file counts once."""

    __tablename__ = "consent_feed_file"
    __table_args__ = (sa.UniqueConstraint("source", "sha256", name="uq_consent_feed_file_content"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=40)
    name: str = Field(max_length=255)
    sha256: str = Field(max_length=64)
    size_bytes: int = Field(default=0)
    status: str = Field(max_length=10)  # ingested | failed
    batch_id: str | None = Field(default=None, max_length=40)
    counts: dict | None = Field(default=None, sa_type=JSONDoc)
    error: str = Field(default="", sa_type=sa.Text)
    processed_at: datetime = Field(sa_type=UTCDateTime, index=True)


__all__ = ["FeedFileRow"]
