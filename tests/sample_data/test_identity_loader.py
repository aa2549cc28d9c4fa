"""The identity demo loader over a generated company (idempotent, scored against the truth)."""

from contextlib import contextmanager
from pathlib import Path

from sample_data.identity_loader import load_identity
from tests.identity.synthetic import generate, write_sources


class FolderManifest:
    def __init__(self, root: Path):
        self.root = root
        self.truth_path = root / "truth.csv"

    def source_db(self, system: str) -> Path:
        return self.root / "sources" / f"{system}.db"


def test_load_identity_twice(runtime, tmp_path):
    write_sources(generate(120, seed=2), tmp_path)
    seen = []

    @contextmanager
    def progress(total=None, desc="", unit=""):
        class Bar:
            def update(self, n):
                seen.append((desc, n))

        yield Bar()

    first = load_identity(runtime, FolderManifest(tmp_path), progress)
    assert "customers" in first and "precision" in first
    assert {d for d, _ in seen} == {
        f"identity {s}" for s in ("crm", "billing", "support", "marketing", "product")
    }
    assert load_identity(runtime, FolderManifest(tmp_path), progress) == first
