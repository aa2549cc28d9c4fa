"""API tokens: created once and shown once, stored as SHA-256, resolved to a role per request."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass

from sqlmodel import Session, select

from core import audit, clock
from core.audit import Actor
from core.errors import InvalidInput, NotFound, Unauthorized
from core.ids import new_id
from core.models import ApiToken
from core.roles import Role, parse_role

TOKEN_PREFIX = "cnc_"  # noqa: S105 - a public prefix, not a secret


@dataclass(frozen=True)
class CreatedToken:
    """A new token: `secret` is the only copy of the plain text and is never stored."""

    id: str
    name: str
    role: Role
    secret: str


@dataclass(frozen=True)
class TokenInfo:
    """What a request's token resolves to."""

    id: str
    name: str
    role: Role

    @property
    def actor(self) -> Actor:
        """This token as the actor of audited writes."""
        return Actor(name=self.name, role=self.role, kind="token")


def hash_token(secret: str) -> str:
    """SHA-256 hex of a token (tokens carry 256 random bits, so a fast hash is enough)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(session: Session, *, role: str, name: str, actor: Actor) -> CreatedToken:
    """Create a token for `role`; the plain secret is returned once and only its hash is kept."""
    try:
        parsed = parse_role(role)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="role") from None
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput("token name must be 1 to 200 characters", field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        id=new_id("tok"),
        name=name,
        role=parsed.value,
        token_hash=hash_token(secret),
        prefix=secret[:12],
        created_at=clock.now(),
        created_by=actor.label,
    )
    session.add(token)
    audit.record(session, actor, "token.create", "api_token", token.id, {"name": name, "role": parsed.value})
    session.commit()
    return CreatedToken(id=token.id, name=name, role=parsed, secret=secret)


def revoke_token(session: Session, *, token_id: str, actor: Actor) -> None:
    """Revoke a token: 401 at once in this process, within the cache TTL (5 s) in the others."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"no token {token_id!r}; list tokens with `concord token list`", field="token_id")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        session.add(token)
        audit.record(session, actor, "token.revoke", "api_token", token.id, {"name": token.name})
        session.commit()
    _CACHE.clear()


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token (hashes only), newest first."""
    return list(session.exec(select(ApiToken).order_by(ApiToken.created_at.desc())).all())


class _TokenCache:
    """Short-lived cache of hash → token so hot endpoints skip a lookup; revocation clears it."""

    def __init__(self, ttl_seconds: float = 5.0):
        self.ttl = ttl_seconds
        self._items: dict[str, tuple[float, TokenInfo]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> TokenInfo | None:
        item = self._items.get(key)
        if item and item[0] > time.monotonic():
            return item[1]
        return None

    def put(self, key: str, info: TokenInfo) -> None:
        with self._lock:
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[key] = (time.monotonic() + self.ttl, info)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_CACHE = _TokenCache()


def authenticate(session: Session, secret: str) -> TokenInfo:
    """Resolve a presented token to its role; Unauthorized if unknown or revoked."""
    if not secret.startswith(TOKEN_PREFIX):
        raise Unauthorized("the bearer token is not a Concord token; create one with `concord token create`")
    key = hash_token(secret)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == key)).first()
    if token is None or token.revoked_at is not None:
        raise Unauthorized("unknown or revoked token; create one with `concord token create`")
    info = TokenInfo(id=token.id, name=token.name, role=Role(token.role))
    _CACHE.put(key, info)
    return info
