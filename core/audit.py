"""Hash-chained, append-only audit log: each write appends an entry in the same transaction as the write."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import orjson
import sqlalchemy as sa
from sqlmodel import Session, select

from core import clock
from core.clock import iso
from core.errors import ConcordError
from core.models import GENESIS_HASH, AuditEntry, AuditHead

HEAD_ID = 1


@dataclass(frozen=True)
class Actor:
    """Who did something: a token, a web user or the system itself."""

    name: str
    role: str
    kind: str = "token"

    @property
    def label(self) -> str:
        """`kind:name`, as written in the audit log."""
        return f"{self.kind}:{self.name}"


SYSTEM = Actor(name="concord", role="admin", kind="system")


class AuditChainError(ConcordError):
    """The audit log cannot be appended to (its head row is missing)."""

    status = 500
    code = "audit_chain_error"


def entry_hash(prev_hash: str, content: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the canonical JSON of an entry's content."""
    canonical = orjson.dumps(content, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical).hexdigest()


def _content(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": iso(entry.at),
        "actor": entry.actor,
        "actor_role": entry.actor_role,
        "action": entry.action,
        "entity_type": entry.entity_type,
        "entity_id": entry.entity_id,
        "details": entry.details,
    }


def ensure_head(session: Session) -> None:
    """Create the chain's head row if it is missing (fresh database)."""
    if session.get(AuditHead, HEAD_ID) is None:
        session.add(AuditHead(id=HEAD_ID, seq=0, hash=GENESIS_HASH))
        session.flush()


def _lock_head(session: Session) -> AuditHead:
    # FOR UPDATE serialises appenders on PostgreSQL; SQLite writers already hold the write lock.
    head = session.exec(select(AuditHead).where(AuditHead.id == HEAD_ID).with_for_update()).first()
    if head is None:
        raise AuditChainError("the audit log has no head row; run `concord init` to create it")
    return head


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: str,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry within the caller's transaction (the caller commits both together)."""
    head = _lock_head(session)
    entry = AuditEntry(
        seq=head.seq + 1,
        at=clock.now(),
        actor=actor.label,
        actor_role=str(actor.role),
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        details=_jsonable(details or {}),
        prev_hash=head.hash,
        hash="",
    )
    entry.hash = entry_hash(entry.prev_hash, _content(entry))
    head.seq, head.hash = entry.seq, entry.hash
    session.add(entry)
    session.add(head)
    session.flush()
    return entry


def _jsonable(details: dict[str, Any]) -> dict[str, Any]:
    # Round-trip through JSON so what is hashed is exactly what the database gives back.
    return orjson.loads(orjson.dumps(details, default=str))


@dataclass
class Verification:
    """Result of checking the chain: ok, entries checked, and every problem found."""

    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    problems: list[str] = field(default_factory=list)


def verify(session: Session, *, batch: int = 5000) -> Verification:
    """Recompute every hash in order; report changed, inserted, deleted or reordered entries.

    Checks the chain up to the head read first, so writers appending meanwhile (the scheduled check runs
    under load) are not mistaken for tampering; entries past that head must be covered by a newer head.
    """
    head = session.get(AuditHead, HEAD_ID)
    bound = head.seq if head is not None else None
    problems: list[str] = []
    prev_hash, expected_seq, checked, last_seq = GENESIS_HASH, 1, 0, 0
    after = 0
    while True:
        query = select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(batch)
        if bound is not None:
            query = query.where(AuditEntry.seq <= bound)
        rows = session.exec(query).all()
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected_seq:
                problems.append(f"entries {expected_seq}..{entry.seq - 1} are missing (deleted)")
            if entry.prev_hash != prev_hash:
                problems.append(f"entry {entry.seq}: previous-hash link broken")
            if entry_hash(entry.prev_hash, _content(entry)) != entry.hash:
                problems.append(f"entry {entry.seq}: content changed since it was written")
            prev_hash, expected_seq, last_seq = entry.hash, entry.seq + 1, entry.seq
            checked += 1
        after = rows[-1].seq
    if head is None:
        problems.append("audit head row is missing")
    elif head.seq != last_seq or head.hash != prev_hash:
        problems.append(
            f"head names entry {head.seq} but the log ends at {last_seq} (tail deleted or altered)"
        )
    else:
        problems += _entries_past_head(session, head.seq)
    return Verification(
        ok=not problems,
        checked=checked,
        head_seq=head.seq if head else 0,
        head_hash=head.hash if head else "",
        problems=problems,
    )


def _entries_past_head(session: Session, seq: int) -> list[str]:
    """Entries after the head read at the start are fine only if a newer head covers them (appended since)."""
    beyond = session.exec(select(sa.func.max(AuditEntry.seq)).where(AuditEntry.seq > seq)).first()
    if beyond is None:
        return []
    # An entry and its head move commit together, so a later read of the head must reach `beyond`.
    fresh = session.exec(select(AuditHead.seq).where(AuditHead.id == HEAD_ID)).first()
    if fresh is not None and fresh >= beyond:
        return []
    return [f"entries {seq + 1}..{beyond} lie past the head (inserted without it)"]


def recent(session: Session, *, limit: int = 50, before_seq: int | None = None) -> list[AuditEntry]:
    """The newest entries first, paged by sequence number."""
    query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if before_seq is not None:
        query = query.where(AuditEntry.seq < before_seq)
    return list(session.exec(query).all())
