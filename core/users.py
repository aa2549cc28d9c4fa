"""Web users: created by an admin, passwords hashed with Argon2, one role each."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from core import audit, clock
from core.audit import Actor
from core.errors import Conflict, InvalidInput, Unauthorized
from core.ids import new_id
from core.models import User
from core.roles import Role, parse_role

_HASHER = PasswordHasher()
MIN_PASSWORD = 10


@dataclass(frozen=True)
class SignedIn:
    """A user who passed the password check."""

    id: str
    username: str
    display_name: str
    role: Role

    @property
    def actor(self) -> Actor:
        """This user as the actor of audited writes."""
        return Actor(name=self.username, role=self.role, kind="user")


def create_user(
    session: Session, *, username: str, password: str, role: str, actor: Actor, display_name: str = ""
) -> User:
    """Create a web user; the username must be new and the password at least 10 characters."""
    username = username.strip().lower()
    if not username or len(username) > 120:
        raise InvalidInput("username must be 1 to 120 characters", field="username")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"password must be at least {MIN_PASSWORD} characters", field="password")
    try:
        parsed = parse_role(role)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="role") from None
    if session.exec(select(User).where(User.username == username)).first():
        raise Conflict(f"user {username!r} already exists", field="username")
    user = User(
        id=new_id("usr"),
        username=username,
        display_name=display_name.strip() or username,
        role=parsed.value,
        password_hash=_HASHER.hash(password),
        created_at=clock.now(),
    )
    session.add(user)
    audit.record(session, actor, "user.create", "user", user.id, {"username": username, "role": parsed.value})
    session.commit()
    return user


def sign_in(session: Session, *, username: str, password: str) -> SignedIn:
    """Check a username and password; Unauthorized with one message whichever was wrong."""
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    failure = Unauthorized("wrong username or password")
    if user is None or user.disabled:
        # Hash anyway so timing does not reveal which usernames exist.
        _HASHER.hash(password or "x")
        raise failure
    try:
        _HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise failure from None
    return SignedIn(id=user.id, username=user.username, display_name=user.display_name, role=Role(user.role))


def get_user(session: Session, user_id: str) -> SignedIn | None:
    """The active user with this id, or None (a disabled or deleted user is signed out)."""
    user = session.get(User, user_id)
    if user is None or user.disabled:
        return None
    return SignedIn(id=user.id, username=user.username, display_name=user.display_name, role=Role(user.role))
