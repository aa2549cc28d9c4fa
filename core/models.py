"""Storage rows owned by core: API tokens, web users, the audit log and leases."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from core.types import JSONDoc, UTCDateTime


class ApiToken(SQLModel, table=True):
    """An API token; only the SHA-256 of the secret is stored."""

    __tablename__ = "api_token"

    id: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=200)
    role: str = Field(max_length=20)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    prefix: str = Field(max_length=24)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: str = Field(max_length=200)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class User(SQLModel, table=True):
    """A person who signs in to the web pages; the password is stored as an Argon2 hash."""

    __tablename__ = "app_user"

    id: str = Field(primary_key=True, max_length=40)
    username: str = Field(max_length=120, sa_column_kwargs={"unique": True})
    display_name: str = Field(max_length=200)
    role: str = Field(max_length=20)
    password_hash: str = Field(max_length=255)
    created_at: datetime = Field(sa_type=UTCDateTime)
    disabled: bool = Field(default=False)


class AuditEntry(SQLModel, table=True):
    """One append-only audit entry; `hash` covers its content and the previous entry's hash."""

    __tablename__ = "audit_log"

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    actor: str = Field(max_length=200)
    actor_role: str = Field(max_length=20)
    action: str = Field(max_length=80, index=True)
    entity_type: str = Field(max_length=80)
    entity_id: str = Field(max_length=300, index=True)
    details: dict = Field(default_factory=dict, sa_type=JSONDoc)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The single row naming the last audit entry, so a deleted tail is detected too."""

    __tablename__ = "audit_head"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = Field(default=0)
    hash: str = Field(max_length=64)


class Lease(SQLModel, table=True):
    """A named lock held by one process until `expires_at` unless renewed (scheduler leader, job runs)."""

    __tablename__ = "lease"

    name: str = Field(primary_key=True, max_length=200)
    holder: str = Field(max_length=200)
    host: str = Field(max_length=200)
    pid: int
    acquired_at: datetime = Field(sa_type=UTCDateTime)
    renewed_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


GENESIS_HASH = "0" * 64

__all__ = ["GENESIS_HASH", "ApiToken", "AuditEntry", "AuditHead", "Lease", "User"]
