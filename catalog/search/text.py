"""Text handling for search: one tokenizer for documents and queries, safe query builders, fuzzy helpers.

User text never reaches MATCH or to_tsquery as written: it is cut into word tokens (letters and digits
only) and every token is quoted, so quotes, operators (`NEAR`, `OR`, `*`, `-`, `:`), and emoji are inert.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
MAX_TOKEN = 40
MAX_QUERY_TOKENS = 12


def words(text: str | None) -> list[str]:
    """Lower-case word tokens of `text`; identifiers are also split (`customerId` -> customerid customer id)."""
    if not text:
        return []
    out: list[str] = []
    for word in _WORD.findall(text):
        lowered = word.lower()
        if len(lowered) <= MAX_TOKEN:
            out.append(lowered)
        parts = _CAMEL.findall(word) if word.isascii() else []
        if len(parts) > 1:
            out.extend(p.lower() for p in parts if len(p) <= MAX_TOKEN)
    return out


def prepare(text: str | None) -> str:
    """Text as it goes into the index: its tokens joined by spaces (both engines then see the same words)."""
    return " ".join(words(text))


def query_tokens(text: str | None) -> list[str]:
    """The distinct tokens of a user's query, in order, at most MAX_QUERY_TOKENS."""
    seen: list[str] = []
    for word in _WORD.findall(text or ""):
        token = word.lower()[:MAX_TOKEN]
        if token not in seen:
            seen.append(token)
    return seen[:MAX_QUERY_TOKENS]


def fts5_query(tokens: list[str], *, prefix_last: bool, any_of: bool = False) -> str:
    """An FTS5 MATCH expression: each token a quoted string (quotes doubled), the last one a prefix."""
    parts = []
    for i, token in enumerate(tokens):
        quoted = '"' + token.replace('"', '""') + '"'
        if prefix_last and i == len(tokens) - 1:
            quoted += "*"
        parts.append(quoted)
    return (" OR " if any_of else " ").join(parts)


def tsquery_text(tokens: list[str], *, prefix_last: bool, any_of: bool = False, weights: str = "") -> str:
    """A to_tsquery text: each token a quoted lexeme (quotes and backslashes escaped), the last a prefix;
    `weights` (e.g. "AB") restricts the match to those weight classes."""
    parts = []
    for i, token in enumerate(tokens):
        quoted = "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"
        prefix = "*" if prefix_last and i == len(tokens) - 1 else ""
        if prefix or weights:
            quoted += f":{prefix}{weights}"
        parts.append(quoted)
    return (" | " if any_of else " & ").join(parts)


def trigrams(term: str) -> set[str]:
    """Trigrams of `$term$` (the `$` marks the word's edges, as pg_trgm pads with spaces)."""
    padded = f"${term}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions), stopping early past `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]
