"""Segment files (CSV, JSON Lines or a JSON list of subjects): spooled to disk, checked whole, read in chunks.

A segment can hold five million rows, so it is never parsed into one list: `inspect_segment` reads it
once to check its shape (UTF-8, columns, identifier kinds) and count rows before any export is recorded,
and `read_subjects` reads it again in chunks of `(kind, value)` while the export runs.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import orjson

from core.errors import InvalidInput, PayloadTooLarge
from identity.lookup import recognise

FORMATS = ("csv", "jsonl", "json")
KINDS = ("customer", "source_key", "email", "phone")
MAX_ROWS = 5_000_000
MAX_JSON_LIST_BYTES = 64 * 2**20  # a JSON list is parsed whole; larger segments come as JSON Lines
# Column names read as one identifier kind each; `kind` + `value` columns declare the kind per row.
COLUMN_KINDS = {"customer_id": "customer", "customer": "customer", "source_key": "source_key",
                "email": "email", "phone": "phone"}  # fmt: skip
GENERIC_COLUMNS = ("subject", "identifier", "value", "id")
PER_ROW = "kind,value"
_RECOGNISED = {"customer_id": "customer", "email": "email", "phone": "phone", "source_key": "source_key"}


@dataclass(frozen=True)
class SegmentLayout:
    """How a checked segment is read: its format, the column holding subjects, their kind, and its row count."""

    format: str
    column: str  # a column name, `kind,value` (kind per row) or `` (a bare list of strings)
    kind: str | None  # one kind for every row; None when a `kind` column says it per row
    rows: int


def format_of(filename: str, declared: str | None) -> str:
    """The declared format, else the file name's extension; InvalidInput naming `format` otherwise."""
    fmt = (declared or Path(filename or "").suffix.lstrip(".")).lower()
    fmt = {"ndjson": "jsonl", "txt": "csv"}.get(fmt, fmt)
    if fmt not in FORMATS:
        raise InvalidInput(
            f"unknown segment format {fmt or '(none)'!r}; use csv, jsonl or json (or name the file .csv/.jsonl)",
            field="format",
        )
    return fmt


def spool(source: BinaryIO, dest: Path, limit: int) -> int:
    """Copy an upload stream to `dest` block by block; PayloadTooLarge (nothing kept) past `limit` bytes."""
    size = 0
    with dest.open("wb") as out:
        while block := source.read(1 << 20):
            size += len(block)
            if size > limit:
                out.close()
                dest.unlink(missing_ok=True)
                raise PayloadTooLarge(
                    f"the segment is over the upload limit of {limit} bytes (CONCORD_MAX_UPLOAD_BYTES); "
                    "split it into several exports",
                    field="file",
                )
            out.write(block)
    return size


def copy_file(path: Path, dest: Path, limit: int) -> int:
    """Copy a local segment file (the CLI's) under the same size limit."""
    if not path.is_file():
        raise InvalidInput(f"no file {str(path)!r}", field="file")
    with path.open("rb") as source:
        return spool(source, dest, limit)


def inspect_segment(
    path: Path, *, fmt: str, column: str | None = None, kind: str | None = None
) -> SegmentLayout:
    """Read the whole file once: UTF-8, a usable subject column, one kind per row; InvalidInput names the problem."""
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}", field="kind")
    with _text(path) as text:
        records = _records(text, fmt)
        try:
            header = next(records)
        except StopIteration:
            raise InvalidInput("the segment is empty; send at least one subject", field="file") from None
        col, fixed = _choose_column(header, column, kind)
        rows, seen_kind = 0, fixed
        for line, value, row_kind in _values(records, header, col, fixed, fmt):
            rows += 1
            if rows > MAX_ROWS:
                raise PayloadTooLarge(f"over {MAX_ROWS} rows; split the segment", field="file")
            if fixed is None and col != PER_ROW:
                guessed = _RECOGNISED[recognise(value)]
                if seen_kind is None:
                    seen_kind = guessed
                elif guessed != seen_kind:
                    raise InvalidInput(
                        f"line {line}: {value[:60]!r} looks like a {guessed} but earlier rows are {seen_kind}s; "
                        "mixed identifier kinds need a declared kind (kind=...), one column per kind, "
                        "or `kind` and `value` columns",
                        field="kind",
                    )
            elif row_kind not in KINDS:
                raise InvalidInput(
                    f"line {line}: unknown kind {row_kind!r}; use one of {', '.join(KINDS)}", field="kind"
                )
    if rows == 0:
        raise InvalidInput("the segment has a header but no subjects", field="file")
    return SegmentLayout(fmt, col, seen_kind if col != PER_ROW else None, rows)


def read_subjects(path: Path, layout: SegmentLayout, chunk_size: int) -> Iterator[list[tuple[str, str]]]:
    """The checked segment's `(kind, value)` subjects, `chunk_size` at a time, in file order."""
    with _text(path) as text:
        records = _records(text, layout.format)
        header = next(records)
        chunk: list[tuple[str, str]] = []
        for _line, value, row_kind in _values(records, header, layout.column, layout.kind, layout.format):
            chunk.append((layout.kind or row_kind, value))
            if len(chunk) >= chunk_size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


class _text:
    """The file as UTF-8 text (a BOM is dropped); a decoding error becomes InvalidInput naming `file`."""

    def __init__(self, path: Path):
        self.handle = path.open("r", encoding="utf-8-sig", newline="")

    def __enter__(self):
        return self.handle

    def __exit__(self, kind, exc, tb):
        self.handle.close()
        if isinstance(exc, UnicodeDecodeError):
            raise InvalidInput(
                f"the segment is not UTF-8 text (byte {exc.start} of a block cannot be decoded); "
                "save it as UTF-8 and upload it again",
                field="file",
            ) from None
        return False


def _records(text: io.TextIOBase, fmt: str) -> Iterator:
    """First the header (column names, or `` for bare strings), then `(line, record)` pairs."""
    if fmt == "csv":
        reader = csv.reader(text)
        for header in reader:
            if any(cell.strip() for cell in header):
                break
        else:
            return
        yield [cell.strip().lower() for cell in header]
        for row in reader:
            # The first cell decides most rows; the rest are looked at only when it is blank.
            if row and (row[0].strip() or any(cell.strip() for cell in row)):
                yield reader.line_num, row
        return
    if fmt == "json":
        items = _json_list(text)
        lines = ((i + 1, item) for i, item in enumerate(items))
    else:
        lines = ((n, _json_line(n, raw)) for n, raw in enumerate(text, start=1) if raw.strip())
    first = next(lines, None)
    if first is None:
        return
    yield list(first[1]) if isinstance(first[1], dict) else ""
    yield first
    yield from lines


def _json_list(text) -> list:
    raw = text.read(MAX_JSON_LIST_BYTES + 1)
    if len(raw) > MAX_JSON_LIST_BYTES:
        raise PayloadTooLarge(
            "a JSON list segment is limited to 64 MiB; send JSON Lines instead", field="file"
        )
    try:
        items = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"the segment is not valid JSON: {exc}", field="file") from None
    if isinstance(items, dict) and isinstance(items.get("subjects"), list):
        items = items["subjects"]
    if not isinstance(items, list):
        raise InvalidInput('a JSON segment is a list of subjects (or {"subjects": [...]})', field="file")
    return items


def _json_line(number: int, raw: str):
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"line {number} is not valid JSON: {exc}", field=f"line {number}") from None


def _choose_column(header, column: str | None, kind: str | None) -> tuple[str, str | None]:
    """The column to read and its kind (None: per row, or to be recognised from the values)."""
    if header == "":
        return "", kind
    names = list(header)
    if column is not None:
        column = column.strip().lower()
        if column not in names:
            raise InvalidInput(f"no column {column!r}; the file has {', '.join(names)}", field="column")
        return column, kind or COLUMN_KINDS.get(column)
    if "kind" in names and "value" in names and kind is None:
        return PER_ROW, None
    known = [n for n in names if n in COLUMN_KINDS]
    if len(known) > 1:
        raise InvalidInput(
            f"the file has several identifier columns ({', '.join(known)}); name the one to use with column=",
            field="column",
        )
    if known:
        return known[0], kind or COLUMN_KINDS[known[0]]
    generic = [n for n in names if n in GENERIC_COLUMNS]
    if len(generic) == 1:
        return generic[0], kind
    expected = ", ".join([*COLUMN_KINDS, *GENERIC_COLUMNS])
    raise InvalidInput(
        f"no identifier column among {', '.join(names) or '(none)'}; expected one of {expected}",
        field="columns",
    )


def _values(
    records: Iterator, header, column: str, kind: str | None, fmt: str
) -> Iterator[tuple[int, str, str | None]]:
    """`(line, value, kind of the row)` for every record; an empty or malformed one names its line."""
    if fmt == "csv":
        yield from _csv_values(records, header, column, kind)
        return
    if column == PER_ROW:
        index = (header.index("value"), header.index("kind")) if header else (0, 0)
    else:
        index = (header.index(column), 0) if header else (0, 0)
    for line, record in records:
        row_kind = kind
        if isinstance(record, list):  # a CSV row
            value = _cell(record, index[0], line, column)
            if column == PER_ROW:
                row_kind = _cell(record, index[1], line, "kind").strip()
        elif isinstance(record, dict):
            value = record.get("value" if column == PER_ROW else column)
            row_kind = record.get("kind") if column == PER_ROW else kind
        else:
            value = record
        if column == PER_ROW and isinstance(row_kind, str):
            row_kind = COLUMN_KINDS.get(row_kind.strip().lower(), row_kind.strip().lower())
        if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
            raise InvalidInput(f"line {line}: no subject in {column or 'the line'}", field=f"line {line}")
        yield line, str(value).strip(), row_kind


def _csv_values(
    records: Iterator, header: list, column: str, kind: str | None
) -> Iterator[tuple[int, str, str | None]]:
    """`_values` for CSV rows (lists of cells): the same checks, in one tight loop (a row costs microseconds)."""
    per_row = column == PER_ROW
    value_at = header.index("value" if per_row else column)
    kind_at = header.index("kind") if per_row else 0
    name = "value" if per_row else column
    for line, record in records:
        if value_at >= len(record):
            raise InvalidInput(f"line {line}: missing column {name}", field=f"line {line}.{name}")
        if per_row and kind_at >= len(record):
            raise InvalidInput(f"line {line}: missing column kind", field=f"line {line}.kind")
        value = record[value_at].strip()
        if not value:
            raise InvalidInput(f"line {line}: no subject in {name}", field=f"line {line}")
        if per_row:
            row_kind = record[kind_at].strip().lower()
            yield line, value, COLUMN_KINDS.get(row_kind, row_kind)
        else:
            yield line, value, kind


def _cell(record: list, index: int, line: int, name: str) -> str:
    if index >= len(record):
        raise InvalidInput(f"line {line}: missing column {name}", field=f"line {line}.{name}")
    return record[index]


def remove_tree(path: Path) -> None:
    """Delete an export's folder (a rejected upload) without failing on what is already gone."""
    shutil.rmtree(path, ignore_errors=True)
