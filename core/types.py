"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from core.clock import as_utc


class UTCDateTime(sa.TypeDecorator):
    """An instant: timestamptz on PostgreSQL, naive UTC on SQLite; always read back as aware UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.DateTime(timezone=False))
        return dialect.type_descriptor(sa.DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        return None if value is None else as_utc(value)


# JSON documents: JSONB on PostgreSQL for indexing, JSON text on SQLite.
JSONDoc = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
