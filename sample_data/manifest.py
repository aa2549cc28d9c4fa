"""manifest.json: what was generated, where the files are, expected PII classes and planted cases."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from core import clock
from core.errors import InvalidInput, NotFound
from sample_data.schema import REGISTRY_COLUMNS, TABLES, TRUTH_COLUMNS

MANIFEST_NAME = "manifest.json"
FORMAT = 1


@dataclass
class Manifest:
    """A generated sample company; `root` is its folder and every path in it is relative to `root`."""

    root: Path
    seed: int
    customers: int
    as_of: str
    files: list[dict[str, Any]] = field(default_factory=list)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    registry: dict[str, Any] = field(default_factory=dict)
    cases: dict[str, int] = field(default_factory=dict)
    noise: dict[str, int] = field(default_factory=dict)
    people_by_jurisdiction: dict[str, int] = field(default_factory=dict)
    company: dict[str, str] = field(default_factory=dict)

    def source_db(self, system: str) -> Path:
        """The SQLite database of a source system."""
        return self.root / "sources" / f"{system}.db"

    @property
    def truth_path(self) -> Path:
        """truth.csv: source_system, source_key, person_id."""
        return self.root / "truth.csv"

    @property
    def registry_path(self) -> Path:
        """The national DNC registry snapshot."""
        return self.root / self.registry["path"]

    @property
    def as_of_instant(self) -> datetime:
        """`as_of` as an aware UTC datetime."""
        return clock.parse_instant(self.as_of)

    @property
    def registry_downloaded_at(self) -> datetime:
        """When the registry snapshot was downloaded (a few days before `as_of`)."""
        return clock.parse_instant(self.registry["downloaded_at"])

    def row_count(self, table: str) -> int:
        """Rows in `system.table`."""
        return int(self.tables[table]["rows"])

    def pii_class(self, table: str, column: str) -> str | None:
        """The PII class a classifier is expected to give `system.table.column` (None: not personal)."""
        return self.tables[table]["columns"][column]

    def to_json(self) -> dict[str, Any]:
        """The document written to manifest.json."""
        return {
            "format": FORMAT,
            "generator": "concord sample_data",
            "seed": self.seed,
            "customers": self.customers,
            "as_of": self.as_of,
            "company": self.company,
            "files": self.files,
            "tables": self.tables,
            "row_counts": {name: entry["rows"] for name, entry in self.tables.items()},
            "pii_classes": {
                f"{name}.{column}": pii
                for name, entry in self.tables.items()
                for column, pii in entry["columns"].items()
            },
            "registry": self.registry,
            "truth": {"path": "truth.csv", "columns": list(TRUTH_COLUMNS)},
            "cases": self.cases,
            "noise": self.noise,
            "people_by_jurisdiction": self.people_by_jurisdiction,
        }

    def save(self) -> Path:
        """Write manifest.json (last, so its presence means the sample is complete)."""
        path = self.root / MANIFEST_NAME
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n")
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, root: Path | str) -> Manifest:
        """Read a sample folder's manifest; NotFound if it was never (completely) generated."""
        root = Path(root)
        path = root / MANIFEST_NAME
        if not path.is_file():
            raise NotFound(
                f"no sample company at {root}; generate one with `concord sample generate`", field="out"
            )
        try:
            doc = json.loads(path.read_text())
            return cls._from_doc(root, doc)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(
                f"{path} is not a readable manifest ({exc}); generate the sample again", field="out"
            ) from None

    @classmethod
    def _from_doc(cls, root: Path, doc: dict[str, Any]) -> Manifest:
        return cls(
            root=root,
            seed=doc["seed"],
            customers=doc["customers"],
            as_of=doc["as_of"],
            files=doc["files"],
            tables=doc["tables"],
            registry=doc["registry"],
            cases=doc["cases"],
            noise=doc.get("noise", {}),
            people_by_jurisdiction=doc.get("people_by_jurisdiction", {}),
            company=doc.get("company", {}),
        )


def describe_tables(counts: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Per table: system, file, primary key, foreign keys, row count and each column's PII class."""
    return {
        t.qualified: {
            "system": t.system,
            "file": f"sources/{t.system}.db",
            "primary_key": t.key,
            "foreign_keys": [{"column": c, "references": f"{o}.{oc}"} for c, o, oc in t.foreign_keys],
            "rows": counts.get(t.qualified, 0),
            "columns": {c.name: c.pii for c in t.columns},
        }
        for t in TABLES
    }


def registry_entry(path: Path, root: Path, *, rows: int, downloaded_at: str, listed: int) -> dict[str, Any]:
    """The registry snapshot's manifest entry."""
    return {
        "registry": "us_national",
        "path": path.relative_to(root).as_posix(),
        "downloaded_at": downloaded_at,
        "rows": rows,
        "listed_customer_phones": listed,
        "columns": dict(REGISTRY_COLUMNS),
    }


def file_entry(path: Path, root: Path, kind: str) -> dict[str, Any]:
    """Path, kind, size and SHA-256 of a generated file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return {"path": path.relative_to(root).as_posix(), "kind": kind, "bytes": path.stat().st_size,
            "sha256": digest.hexdigest()}  # fmt: skip
