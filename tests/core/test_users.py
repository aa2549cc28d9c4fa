"""Web users: hashed passwords, one message for any wrong credential."""

import pytest
from sqlmodel import select

from core.audit import SYSTEM
from core.errors import Conflict, InvalidInput, Unauthorized
from core.models import User
from core.users import create_user, sign_in


def test_password_is_hashed_and_sign_in_works(db):
    with db.session(write=True) as session:
        create_user(session, username="Ada", password="correct horse", role="steward", actor=SYSTEM)
    with db.session() as session:
        stored = session.exec(select(User)).one()
        assert "correct horse" not in stored.password_hash
        user = sign_in(session, username="ada", password="correct horse")
    assert user.role == "steward"


def test_wrong_password_and_unknown_user_give_the_same_error(db):
    with db.session(write=True) as session:
        create_user(session, username="bob", password="0123456789", role="analyst", actor=SYSTEM)
    with db.session() as session:
        with pytest.raises(Unauthorized) as wrong:
            sign_in(session, username="bob", password="nope-nope-nope")
        with pytest.raises(Unauthorized) as unknown:
            sign_in(session, username="nobody", password="nope-nope-nope")
    assert wrong.value.message == unknown.value.message


def test_short_password_and_duplicate_username_rejected(db):
    with db.session(write=True) as session:
        with pytest.raises(InvalidInput) as short:
            create_user(session, username="c", password="short", role="analyst", actor=SYSTEM)
        assert short.value.field == "password"
        create_user(session, username="c", password="long enough!", role="analyst", actor=SYSTEM)
        with pytest.raises(Conflict):
            create_user(session, username="C", password="long enough!", role="analyst", actor=SYSTEM)
