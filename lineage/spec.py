"""The OpenLineage 2-0-2 JSON schema (shipped in `spec/`), compiled once per event kind."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SPEC_FILE = Path(__file__).resolve().parent / "spec" / "OpenLineage-2-0-2.json"
SPEC_VERSION = "2-0-2"
KINDS = ("RunEvent", "DatasetEvent", "JobEvent")


@functools.cache
def core_schema() -> dict[str, Any]:
    """The core OpenLineage schema document."""
    return json.loads(SPEC_FILE.read_text(encoding="utf-8"))


def default_schema_url(kind: str) -> str:
    """The schemaURL a 2-0-2 client would send for `kind`."""
    return f"{core_schema()['$id']}#/$defs/{kind}"


@functools.cache
def validator(kind: str) -> Draft202012Validator:
    """A compiled validator for one event kind (`RunEvent`, `DatasetEvent`, `JobEvent`) of the core schema."""
    core = core_schema()
    registry = Registry().with_resource(core["$id"], Resource.from_contents(core))
    return Draft202012Validator({"$ref": f"{core['$id']}#/$defs/{kind}"}, registry=registry)


@functools.cache
def fast_validator(kind: str):
    """The same check compiled to Python by fastjsonschema: raises on an invalid event, no error detail.

    Formats are not checked and nothing is filled in, as with `validator`; the schema uses only keywords
    both libraries read alike (no `$ref` with siblings, no 2019+ keywords).
    """
    core = core_schema()
    definition = {"$id": core["$id"], "$defs": core["$defs"], "$ref": f"#/$defs/{kind}"}
    return fastjsonschema.compile(definition, handlers={}, use_default=False, use_formats=False)
