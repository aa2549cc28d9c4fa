"""`concord catalog`: source add/list, scan with a progress bar, search, dbt import, metric packs."""

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "dbt"


def test_source_add_scan_and_search(cli_runner, sample_sources, tmp_path):
    paths, _ = sample_sources
    added = cli_runner(
        "catalog", "source", "add", "support", f"sqlite:///{paths['support']}", "--owner", "team:support"
    )
    assert added.exit_code == 0, added.output
    assert "support" in cli_runner("catalog", "source", "list").output
    scanned = cli_runner("catalog", "scan", "support")
    assert scanned.exit_code == 0, scanned.output
    assert "support: 4 tables, 4 added" in scanned.output
    found = cli_runner("catalog", "search", "requesters")
    assert found.exit_code == 0 and "requesters" in found.output
    as_json = cli_runner("catalog", "search", "--owner", "team:support", "--json")
    assert '"total": 4' in as_json.output


def test_unreachable_source_exits_1_with_the_reason(cli_runner, tmp_path):
    cli_runner("catalog", "source", "add", "gone", f"sqlite:///{tmp_path / 'nope.db'}")
    result = cli_runner("catalog", "scan", "gone")
    assert result.exit_code == 1 and "no SQLite database" in result.output
    assert cli_runner("catalog", "scan").exit_code == 1


def test_import_dbt_and_load_metrics(cli_runner):
    result = cli_runner(
        "catalog",
        "import-dbt",
        str(FIXTURES / "manifest.json"),
        "--catalog",
        str(FIXTURES / "catalog.json"),
        "--namespace",
        "postgres://warehouse:5432",
    )
    assert result.exit_code == 0 and "jaffle_shop: 9 datasets (9 new" in result.output
    loaded = cli_runner("catalog", "load-metrics")
    assert loaded.exit_code == 0 and "customer360:" in loaded.output
    rebuilt = cli_runner("catalog", "rebuild-index")
    assert rebuilt.exit_code == 0 and "9 datasets" in rebuilt.output
