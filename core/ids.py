"""Identifiers: time-ordered, URL-safe, prefixed by what they name (e.g. `exp_01J...`)."""

from __future__ import annotations

import os
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def _b32(number: int, length: int) -> str:
    chars = []
    for _ in range(length):
        number, rem = divmod(number, 32)
        chars.append(_ALPHABET[rem])
    return "".join(reversed(chars))


def ulid(at_ms: int | None = None) -> str:
    """A 26-character ULID: 48 bits of milliseconds then 80 random bits, so ids sort by creation."""
    ms = int(time.time() * 1000) if at_ms is None else at_ms
    return _b32(ms, 10) + _b32(int.from_bytes(os.urandom(10), "big"), 16)


def new_id(prefix: str) -> str:
    """A new identifier such as `tok_01J9...`."""
    return f"{prefix}_{ulid()}"
