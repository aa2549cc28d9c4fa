"""The soak driver: options from the command line, and a short real run that loses nothing."""

import pytest

from bench import soak
from bench.runner import BenchOptions, split_extra


def test_extra_options_are_split_from_names():
    names, extra = split_extra(["soak", "smoke", "--duration", "600", "--backend=postgresql", "--verbose"])
    assert names == ["soak", "smoke"]
    assert extra == {"duration": 600, "backend": "postgresql", "verbose": True}


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_short_soak_has_no_errors_and_loses_nothing(tmp_path, backend):
    options = BenchOptions(
        workdir=tmp_path,
        extra={"duration": 2, "clients": 3, "backend": backend, "workers": 1, "customers": 20, "datasets": 8},
    )
    figures = {f.name.split(") ", 1)[1]: f for f in soak.run(options)}
    assert figures["errors"].value == 0, figures["errors"].notes
    assert figures["lost records"].value == 0, figures["lost records"].notes
    assert figures["throughput"].value > 0
    for maker in ("eligibility", "consent-ingest", "lineage-event", "catalog-search"):
        assert maker in figures["throughput"].notes
    stored = figures["lost records"].notes
    assert "consent records: 0/" not in stored and "lineage events: 0/" not in stored


def test_unknown_backend_is_refused(tmp_path):
    with pytest.raises(ValueError, match="sqlite, postgresql or both"):
        soak.run(BenchOptions(workdir=tmp_path, extra={"backend": "mysql"}))
