"""The demo's sign-ins and API token: one web user per role, and a fresh admin token."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlmodel import Session, select

from core import tokens, users
from core.audit import Actor
from core.models import User
from core.tokens import CreatedToken

DEMO_ACTOR = Actor(name="concord-demo", role="admin", kind="system")
DEMO_ROLES = ("admin", "analyst", "steward", "compliance", "marketing")
DEMO_TOKEN_NAME = "demo-admin"  # noqa: S105 - a token name, not a secret


@dataclass
class DemoSignIns:
    """Which demo users were created now (all with `password`) and which existed already."""

    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    password: str | None = None


def ensure_demo_users(
    session: Session, *, actor: Actor = DEMO_ACTOR, password: str | None = None
) -> DemoSignIns:
    """Create the missing demo users (username = role) sharing one new password; keep existing ones."""
    found = set(session.exec(select(User.username).where(User.username.in_(DEMO_ROLES))).all())
    result = DemoSignIns(existing=[r for r in DEMO_ROLES if r in found])
    missing = [r for r in DEMO_ROLES if r not in found]
    if not missing:
        return result
    result.password = password or secrets.token_urlsafe(12)
    for role in missing:
        users.create_user(
            session,
            username=role,
            password=result.password,
            role=role,
            display_name=f"Demo {role}",
            actor=actor,
        )
        result.created.append(role)
    return result


def create_demo_token(session: Session, *, actor: Actor = DEMO_ACTOR) -> CreatedToken:
    """A new admin API token named demo-admin (earlier demo tokens stay valid until revoked)."""
    return tokens.create_token(session, role="admin", name=DEMO_TOKEN_NAME, actor=actor)
