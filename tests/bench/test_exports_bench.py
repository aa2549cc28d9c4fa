"""The exports benchmark end to end at a tiny size: every figure is measured against its baseline."""

import pytest

from bench import exports
from bench.runner import BenchOptions


@pytest.mark.slow
def test_a_tiny_export_benchmark_reports_every_figure(tmp_path):
    figures = {
        f.name: f for f in exports.run(BenchOptions(scale=0.01, workdir=tmp_path, extra={"sample": 20}))
    }
    assert set(figures) == {
        "export 1,000 rows in-process",
        "export 1,000 rows in-process vs hash join",
        "export 1,000 rows peak RSS",
        "export 1,000 rows service worker peak RSS",
        "export 1,000 rows over HTTP (upload..download)",
    }
    for figure in figures.values():
        assert figure.value > 0 and figure.baseline_value > 0, figure.name
    assert (
        figures["export 1,000 rows service worker peak RSS"].value
        >= figures["export 1,000 rows service worker peak RSS"].baseline_value
    )
