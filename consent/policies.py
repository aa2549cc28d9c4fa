"""Policy versions: the active policy, list, show, upload (validated), activate (re-evaluates decisions)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from consent.models import PolicyRow
from consent.policy_loader import REFERENCE_VERSION, cached_policy, checksum, load_policy, reference_text
from consent.policy_model import Policy
from core import audit, clock
from core.audit import SYSTEM, Actor
from core.errors import Conflict, InvalidInput, NotFound

BUILT_IN = "concord:built-in"
MAX_POLICY_BYTES = 512 * 1024


@dataclass(frozen=True)
class PolicyVersion:
    """A policy version as listed and shown (the text only when asked for)."""

    version: str
    checksum: str
    description: str
    uploaded_at: datetime | None
    uploaded_by: str
    active: bool
    activated_at: datetime | None = None
    activated_by: str | None = None
    stored: bool = True
    text: str | None = None


def _version(row: PolicyRow, with_text: bool = False) -> PolicyVersion:
    return PolicyVersion(
        version=row.version,
        checksum=row.checksum,
        description=row.description,
        uploaded_at=row.uploaded_at,
        uploaded_by=row.uploaded_by,
        active=row.active,
        activated_at=row.activated_at,
        activated_by=row.activated_by,
        text=row.yaml_text if with_text else None,
    )


def _builtin(with_text: bool = False) -> PolicyVersion:
    text = reference_text()
    policy = cached_policy(text)
    return PolicyVersion(
        REFERENCE_VERSION,
        policy.checksum,
        policy.description,
        None,
        BUILT_IN,
        True,
        stored=False,
        text=text if with_text else None,
    )


def active_policy(session: Session) -> Policy:
    """The active policy (the packaged reference-v1 until a version has been stored)."""
    row = session.execute(
        sa.select(PolicyRow.__table__.c.yaml_text).where(PolicyRow.__table__.c.active.is_(True))
    ).first()
    return cached_policy(row[0] if row else reference_text())


_CACHE: dict[str, object] = {"until": 0.0, "policy": None}
CACHE_SECONDS = 5.0


def active_policy_cached(session: Session) -> Policy:
    """The active policy, re-read at most every few seconds (hot read paths use it to validate queries)."""
    if _CACHE["policy"] is None or time.monotonic() >= _CACHE["until"]:
        _CACHE["policy"] = active_policy(session)
        _CACHE["until"] = time.monotonic() + CACHE_SECONDS
    return _CACHE["policy"]


def forget_cached_policy() -> None:
    """Drop the cached active policy (after an activation in this process)."""
    _CACHE["policy"] = None


def list_versions(session: Session) -> list[PolicyVersion]:
    """Every stored version, newest upload first (or the built-in reference when none is stored)."""
    rows = session.exec(select(PolicyRow).order_by(PolicyRow.uploaded_at.desc(), PolicyRow.version)).all()
    return [_version(r) for r in rows] or [_builtin()]


def get_version(session: Session, *, version: str) -> PolicyVersion:
    """One version with its YAML text; NotFound naming the versions that exist."""
    row = session.get(PolicyRow, version)
    if row is not None:
        return _version(row, with_text=True)
    if version == REFERENCE_VERSION and _count(session) == 0:
        return _builtin(with_text=True)
    known = ", ".join(v.version for v in list_versions(session))
    raise NotFound(f"no policy version {version!r}; stored versions: {known}", field="version")


def policy_of(session: Session, *, version: str) -> Policy:
    """The parsed policy of a stored (or built-in) version."""
    return cached_policy(get_version(session, version=version).text)


def _count(session: Session) -> int:
    return session.execute(sa.select(sa.func.count()).select_from(PolicyRow.__table__)).scalar_one()


def _ensure_builtin_stored(session: Session) -> None:
    # The first upload also stores the reference it replaces, so the history is complete.
    if _count(session) == 0:
        text = reference_text()
        now = clock.now()
        session.add(
            PolicyRow(
                version=REFERENCE_VERSION,
                yaml_text=text,
                checksum=checksum(text),
                description=cached_policy(text).description,
                uploaded_at=now,
                uploaded_by=BUILT_IN,
                active=True,
                activated_at=now,
                activated_by=BUILT_IN,
            )
        )
        audit.record(session, SYSTEM, "consent.policy.install", "consent_policy", REFERENCE_VERSION, {})
        session.flush()


def upload_policy(session: Session, *, text: str, actor: Actor) -> PolicyVersion:
    """Validate and store a new version (inactive); a broken one is rejected with its line and field."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("the policy is empty; send the YAML document", field="policy")
    if len(text.encode()) > MAX_POLICY_BYTES:
        raise InvalidInput(f"the policy is over {MAX_POLICY_BYTES} bytes", field="policy")
    policy = load_policy(text)
    _ensure_builtin_stored(session)
    existing = session.get(PolicyRow, policy.version)
    if existing is not None:
        if existing.checksum == policy.checksum:
            session.commit()
            return _version(existing)
        raise Conflict(
            f"policy version {policy.version!r} is already stored with different content; versions are immutable: "
            "change the `policy:` name (e.g. reference-v2)",
            field="policy",
        )
    row = PolicyRow(
        version=policy.version,
        yaml_text=text,
        checksum=policy.checksum,
        description=policy.description,
        uploaded_at=clock.now(),
        uploaded_by=actor.label,
        active=False,
    )
    session.add(row)
    audit.record(
        session,
        actor,
        "consent.policy.upload",
        "consent_policy",
        policy.version,
        {"checksum": policy.checksum},
    )
    session.commit()
    return _version(row)


def mark_active(session: Session, *, version: str, actor: Actor) -> tuple[Policy, str | None]:
    """Make `version` the active one (no commit); returns it and the previously active version."""
    _ensure_builtin_stored(session)
    row = session.get(PolicyRow, version)
    if row is None:
        get_version(session, version=version)  # raises NotFound naming what exists
    previous = session.exec(select(PolicyRow).where(PolicyRow.active.is_(True))).first()
    if previous is not None and previous.version != version:
        previous.active = False
        session.add(previous)
    row.active, row.activated_at, row.activated_by = True, clock.now(), actor.label
    session.add(row)
    session.flush()
    forget_cached_policy()
    audit.record(
        session,
        actor,
        "consent.policy.activate",
        "consent_policy",
        version,
        {"previous": previous.version if previous else None, "checksum": row.checksum},
    )
    return cached_policy(row.yaml_text), previous.version if previous else None
