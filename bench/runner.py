"""Benchmark runner: each benchmark returns figures with a baseline measured in the same run."""

from __future__ import annotations

import importlib
import json
import platform
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import click

from core import clock
from core.clock import iso

RESULTS = Path(__file__).resolve().parent / "results"

# Benchmark modules, by name; each defines `run(options: BenchOptions) -> list[Figure]`.
BENCHMARKS: dict[str, str] = {
    "smoke": "bench.smoke",
    "soak": "bench.soak",
    "identity": "bench.identity_match",
    "consent_unify": "bench.consent_unify",
    "consent_eligibility": "bench.consent_eligibility",
    "consent_bulk": "bench.consent_bulk",
    "exports": "bench.exports",
    "catalog": "bench.catalog_search",
    "lineage_graph": "bench.lineage_graph",
    "lineage_ingest": "bench.lineage_ingest",
}


@dataclass
class Figure:
    """One measured number, its baseline from the same run, and the goal the issue sets."""

    name: str
    value: float
    unit: str
    baseline_name: str | None = None
    baseline_value: float | None = None
    higher_is_better: bool = True
    goal: str | None = None
    notes: str = ""

    @property
    def ratio(self) -> float | None:
        """value / baseline (or baseline / value when lower is better): above 1 means better than baseline."""
        if not self.baseline_value or not self.value:
            return None
        if self.higher_is_better:
            return self.value / self.baseline_value
        return self.baseline_value / self.value

    def line(self) -> str:
        """A printable row."""
        text = f"{self.name:<48} {self.value:>14,.2f} {self.unit:<10}"
        if self.baseline_name:
            ratio = f"{self.ratio:.2f}x" if self.ratio is not None else "n/a"
            text += f"  baseline {self.baseline_name}: {self.baseline_value:,.2f}  ratio {ratio}"
        if self.goal:
            text += f"  (goal: {self.goal})"
        return text


@dataclass
class BenchOptions:
    """Knobs every benchmark may read."""

    scale: float = 1.0
    workdir: Path = field(default_factory=lambda: RESULTS / "work")
    extra: dict = field(default_factory=dict)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """Seconds taken by `fn()`, and its result."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (0-100) of `samples` by nearest rank."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def run_benchmarks(
    names: Iterable[str], options: BenchOptions, echo: Callable[[str], None] = click.echo
) -> Path:
    """Run the named benchmarks, print each figure and write all of them to a JSON file."""
    options.workdir.mkdir(parents=True, exist_ok=True)
    report = {
        "started": iso(clock.now()),
        "machine": platform.platform(),
        "python": platform.python_version(),
    }
    results: dict[str, list[dict]] = {}
    for name in names:
        if name not in BENCHMARKS:
            raise click.ClickException(f"unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS)}")
        echo(f"== {name}")
        figures = importlib.import_module(BENCHMARKS[name]).run(options)
        for figure in figures:
            echo("   " + figure.line())
        results[name] = [{**asdict(f), "ratio": f.ratio} for f in figures]
    report["results"] = results
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    echo(f"figures written to {out}")
    return out


def split_extra(args: Iterable[str]) -> tuple[list[str], dict]:
    """Separate benchmark names from `--key value` / `--key=value` options (numbers parsed) for `extra`."""
    names, extra, pending = [], {}, None
    for arg in args:
        if arg.startswith("--"):
            key, has_value, value = arg[2:].partition("=")
            pending = None if has_value else key.replace("-", "_")
            if has_value:
                extra[key.replace("-", "_")] = _number(value)
            else:
                extra[pending] = True
        elif pending is not None:
            extra[pending], pending = _number(arg), None
        else:
            names.append(arg)
    return names, extra


def _number(text: str):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


@click.command("bench", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("names", nargs=-1, type=click.UNPROCESSED)
@click.option("--scale", default=1.0, show_default=True, help="Multiply every benchmark's data size.")
@click.option("--list", "list_only", is_flag=True, help="List the benchmarks and exit.")
def main(names: tuple[str, ...], scale: float, list_only: bool) -> None:
    """Run benchmarks (all when none are named); figures are also written as JSON.

    Other `--key value` options go to the benchmarks, e.g. `concord bench soak --duration 600`.
    """
    if list_only:
        for name in BENCHMARKS:
            click.echo(name)
        return
    chosen, extra = split_extra(names)
    run_benchmarks(chosen or list(BENCHMARKS), BenchOptions(scale=scale, extra=extra))
