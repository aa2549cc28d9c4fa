"""Turn a request body into checked events: 400 when it cannot be parsed, 422 naming the field at fault."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import fastjsonschema
import orjson
from jsonschema import ValidationError
from jsonschema.exceptions import relevance

from core.clock import parse_instant
from core.errors import BadRequest, InvalidInput
from lineage import shape_rules
from lineage.normalise import SHORT_KIND, detect_kind, normalise
from lineage.spec import fast_validator, validator


@dataclass(frozen=True)
class ParsedEvent:
    """A valid event: the raw object as received, its lenient normalised form, and what identifies it."""

    kind: str  # run | dataset | job
    raw: dict[str, Any]
    event: dict[str, Any]
    event_hash: str
    event_time: datetime
    payload: str

    @property
    def event_type(self) -> str | None:
        """START, RUNNING, COMPLETE, FAIL, ABORT, OTHER, or None when the producer sent none."""
        return self.event.get("eventType")

    @property
    def run_id(self) -> str | None:
        """The run's canonical UUID text (RunEvents only)."""
        return self.event["run"]["runId"] if self.kind == "run" else None

    @property
    def stamp(self) -> str:
        """Event time and hash: orders events the same way whatever order they arrived in."""
        return stamp(self.event_time, self.event_hash)


def stamp(at: datetime, event_hash: str) -> str:
    """Fixed-width, lexicographically ordered `time|hash`."""
    return f"{at.strftime('%Y-%m-%dT%H:%M:%S.%f')}|{event_hash}"


def event_hash(raw: dict[str, Any]) -> str:
    """sha256 of the canonical JSON (sorted keys): the same event sent twice has the same hash."""
    return hashlib.sha256(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)).hexdigest()


def parse_body(body: bytes) -> Any:
    """Decode JSON; 400 naming the position when it is malformed."""
    if not body or not body.strip():
        raise BadRequest("the request body is empty; send one OpenLineage event as JSON", field="body")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(
            f"the body is not valid JSON ({exc}); send one event as a JSON object", field="body"
        ) from None


def parse_event(obj: Any, *, prefix: str = "") -> ParsedEvent:
    """Check one decoded event; InvalidInput names the field (with `prefix`, e.g. `events[3].`)."""
    if not isinstance(obj, dict):
        raise InvalidInput("an OpenLineage event must be a JSON object", field=prefix.rstrip(".") or "body")
    kind = detect_kind(obj)
    if kind is None:
        raise InvalidInput(
            "not an OpenLineage event: a RunEvent has `run` and `job`, a DatasetEvent `dataset`, a JobEvent `job`",
            field=f"{prefix}job",
        )
    event = normalise(obj, kind)
    error = _schema_error(kind, shape_rules.skeleton(event))
    if error is not None:
        field, message = describe(error)
        raise InvalidInput(
            f"{kind}: {message}", field=prefix + field if field else prefix.rstrip(".") or None
        )
    try:
        shape_rules.check(event, kind)
    except InvalidInput as exc:
        raise InvalidInput(f"{kind}: {exc.message}", field=prefix + exc.field) from None
    try:
        at = parse_instant(event["eventTime"])
    except (ValueError, TypeError):
        raise InvalidInput(
            f"eventTime {event['eventTime']!r} is not an ISO 8601 date-time such as 2024-05-01T12:00:00Z",
            field=f"{prefix}eventTime",
        ) from None
    digest = event_hash(obj)
    return ParsedEvent(
        kind=SHORT_KIND[kind],
        raw=obj,
        event=event,
        event_hash=digest,
        event_time=at,
        payload=orjson.dumps(obj).decode(),
    )


def from_store(raw: dict[str, Any], digest: str) -> ParsedEvent:
    """An event read back from the raw log: checked when it arrived, so only normalised again."""
    kind = detect_kind(raw)
    event = normalise(raw, kind)
    return ParsedEvent(
        kind=SHORT_KIND[kind],
        raw=raw,
        event=event,
        event_hash=digest,
        event_time=parse_instant(event["eventTime"]),
        payload="",
    )


def _schema_error(kind: str, skeleton: dict[str, Any]) -> ValidationError | None:
    # The compiled check is many times faster; jsonschema runs only when it objects, to name the field
    # (and has the last word, so both libraries disagreeing could never reject a valid event).
    try:
        fast_validator(kind)(skeleton)
        return None
    except fastjsonschema.JsonSchemaException:
        return _first_error(validator(kind).iter_errors(skeleton))


def _first_error(errors) -> ValidationError | None:
    # The deepest, most specific error first (best_match's relevance), so `job.name` beats "not valid under allOf".
    found = sorted(errors, key=relevance)
    if not found:
        return None
    best = found[-1]
    while best.context:
        best = sorted(best.context, key=relevance)[-1]
    return best


def field_path(path) -> str:
    """`inputs[0].facets.schema` from a JSON path deque."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def describe(error: ValidationError) -> tuple[str, str]:
    """(field, message) without echoing the offending value (which may be huge)."""
    field = field_path(error.absolute_path)
    kind = error.validator
    if kind == "required":
        missing = [
            p for p in error.validator_value if isinstance(error.instance, dict) and p not in error.instance
        ]
        name = missing[0] if missing else "?"
        field = f"{field}.{name}" if field else name
        return field, f"{field} is required"
    where = field or "the event"
    if kind == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        return field, f"{where} must be of type {expected}"
    if kind == "minLength" or (kind == "pattern" and error.validator_value == r"\S"):
        return field, f"{where} must not be empty"
    if kind == "pattern":
        return field, f"{where} must be a UUID such as 0190b3f2-5c1e-7d4a-9f00-1a2b3c4d5e6f"
    if kind == "maxLength":
        return field, f"{where} is longer than {error.validator_value} characters"
    if kind in {"enum", "const"}:
        allowed = error.validator_value if kind == "enum" else [error.validator_value]
        return field, f"{where} must be one of {', '.join(map(str, allowed))}"
    if kind == "not":
        return field, f"{where} must not carry both `job` and `run` (that is a RunEvent)"
    return field, f"{where}: {error.message[:300]}"
