"""The demo's loaders: each brings one part of the generated company into Concord.

A loader is a function `(runtime, manifest, progress) -> str` returning a one-line summary. `progress`
makes a progress bar: `with progress(total=n, desc="consent events", unit="events") as bar: bar.update(k)`.
Add a loader by appending it to `DEMO_LOADERS`; `concord demo` runs them in list order and prints each
summary, so a loader that needs another's results comes after it (identity before consent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from tqdm import tqdm

from core.runtime import Runtime
from sample_data.manifest import Manifest

Progress = Callable[..., tqdm]
Loader = Callable[[Runtime, Manifest, Progress], str]

DEMO_LOADERS: list[Loader] = []


def progress_bar(*, total: int | None = None, desc: str = "", unit: str = "rows") -> tqdm:
    """A progress bar on stderr for one loader step."""
    return tqdm(total=total, desc=desc, unit=unit)


def loader_name(loader: Loader) -> str:
    """How `concord demo` names a loader: its `label` attribute, else its function name."""
    return getattr(loader, "label", None) or getattr(loader, "__name__", repr(loader))


def run_loaders(
    runtime: Runtime,
    manifest: Manifest,
    *,
    loaders: Sequence[Loader] | None = None,
    progress: Progress = progress_bar,
) -> Iterator[tuple[str, str]]:
    """Run the loaders in order, yielding (name, summary) as each finishes."""
    for loader in DEMO_LOADERS if loaders is None else loaders:
        yield loader_name(loader), loader(runtime, manifest, progress)
