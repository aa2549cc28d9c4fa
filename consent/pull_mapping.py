"""The declarative pull mapping (YAML: source -> table -> event type + field specs), validated with line numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from consent.events import EVENT_TYPES, FIELDS
from consent.yaml_doc import Doc, parse_document
from core.errors import InvalidInput

SAMPLE_MAPPING = Path(__file__).resolve().parent / "mappings" / "sample.yaml"
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Spec:
    """How one event field gets its value from a row."""

    kind: str  # column | const | values | by | lookup
    column: str | None = None
    const: Any = None
    values: dict[str, str] = field(default_factory=dict)
    cases: dict[str, str] = field(default_factory=dict)
    table: str | None = None
    on: str | None = None


@dataclass(frozen=True)
class TableMapping:
    """One source table: the event type its rows become."""

    table: str
    type: str
    fields: dict[str, Spec]
    evidence: dict[str, Spec]
    filter: dict[str, str]
    cursor: str | None


@dataclass(frozen=True)
class RegistryMapping:
    """A registry CSV file: which registry, the number column, where the download date comes from."""

    registry: str
    column: str
    date_pattern: re.Pattern


@dataclass(frozen=True)
class SourceMapping:
    """One source system's tables (or its registry file)."""

    name: str
    tables: tuple[TableMapping, ...] = ()
    registry: RegistryMapping | None = None
    customers: tuple[str, str] | None = None  # (table, key column): the system's people


def _ident(doc: Doc) -> str:
    value = doc.text()
    if not IDENT.match(value):
        raise doc.fail(f"{value!r} is not a plain table or column name")
    return value


def _spec(doc: Doc) -> Spec:
    if not doc.is_mapping():
        return Spec("column", column=_ident(doc))
    keys = doc.mapping({"const", "column", "values", "by", "cases", "lookup", "key", "on"})
    if "const" in keys:
        return Spec("const", const=keys["const"].value())
    if "by" in keys:
        cases = {k: _ident(v) for k, v in keys["cases"].items()} if "cases" in keys else {}
        if not cases:
            raise doc.fail("`by` needs `cases` naming a column for each value")
        return Spec("by", column=_ident(keys["by"]), cases=cases)
    if "lookup" in keys:
        for needed in ("key", "on", "column"):
            if needed not in keys:
                raise doc.fail(f"`lookup` needs `{needed}`")
        return Spec("lookup", column=_ident(keys["key"]), table=_ident(keys["lookup"]), on=_ident(keys["on"]),
                    const=_ident(keys["column"]))  # fmt: skip
    if "column" in keys and "values" in keys:
        return Spec(
            "values", column=_ident(keys["column"]), values={k: v.text() for k, v in keys["values"].items()}
        )
    if "column" in keys:
        return Spec("column", column=_ident(keys["column"]))
    raise doc.fail(
        "expected a column name, {const: ...}, {column, values}, {by, cases} or {lookup, key, on, column}"
    )


def _table(name: str, doc: Doc) -> TableMapping:
    spec = doc.mapping({"type", "fields", "evidence", "filter", "cursor"}, ("type", "fields"))
    kind = spec["type"].choice(EVENT_TYPES)
    fields_ = {}
    for key, value in spec["fields"].items():
        if key not in FIELDS[kind] | {"received_at"}:
            raise value.fail(
                f"{key!r} is not a field of a {kind} event; fields: {', '.join(sorted(FIELDS[kind]))}"
            )
        fields_[key] = _spec(value)
    evidence = {k: _spec(v) for k, v in spec["evidence"].items()} if "evidence" in spec else {}
    if evidence and kind != "consent":
        raise spec["evidence"].fail("only consent events carry evidence")
    filters = (
        {_ident_key(spec["filter"], k): v.text() for k, v in spec["filter"].items()}
        if "filter" in spec
        else {}
    )
    cursor = _ident(spec["cursor"]) if "cursor" in spec else None
    return TableMapping(name, kind, fields_, evidence, filters, cursor)


def _ident_key(doc: Doc, key: str) -> str:
    if not IDENT.match(key):
        raise doc.fail(f"{key!r} is not a plain column name")
    return key


def load_mapping(text: str) -> dict[str, SourceMapping]:
    """Parse and validate a mapping document; DocumentError naming line and field."""
    root = parse_document(text, "mapping")
    top = root.mapping({"mapping", "sources"}, ("sources",))
    out = {}
    for name, source_doc in top["sources"].items():
        spec = source_doc.mapping({"tables", "registry_file", "customers"})
        if "registry_file" in spec:
            reg = spec["registry_file"].mapping({"registry", "column", "downloaded_at_from_name"},
                                                ("registry", "column", "downloaded_at_from_name"))  # fmt: skip
            try:
                pattern = re.compile(reg["downloaded_at_from_name"].text())
            except re.error as exc:
                raise reg["downloaded_at_from_name"].fail(f"not a regular expression: {exc}") from None
            if pattern.groups != 1:
                raise reg["downloaded_at_from_name"].fail("needs exactly one group capturing the date")
            out[name] = SourceMapping(
                name, registry=RegistryMapping(reg["registry"].text(), reg["column"].text(), pattern)
            )
            continue
        if "tables" not in spec:
            raise source_doc.fail("a source needs `tables` (or `registry_file`)")
        tables = tuple(_table(_ident_key(spec["tables"], t), d) for t, d in spec["tables"].items())
        customers = None
        if "customers" in spec:
            people = spec["customers"].mapping({"table", "key"}, ("table", "key"))
            customers = (_ident(people["table"]), _ident(people["key"]))
        out[name] = SourceMapping(name, tables=tables, customers=customers)
    return out


def mapping_for(source: str, path: Path | None = None) -> SourceMapping:
    """The mapping of one source system from a file (default: the sample company's mapping)."""
    path = path or SAMPLE_MAPPING
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise InvalidInput(f"cannot read mapping {path}: {exc.strerror}", field="mapping") from None
    sources = load_mapping(text)
    if source not in sources:
        raise InvalidInput(
            f"mapping {path} has no source {source!r}; it has {', '.join(sources)}", field="source"
        )
    return sources[source]
