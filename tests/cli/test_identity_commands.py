"""CLI: concord identity pull, rebuild, crosswalk and report."""

import pytest

from tests.identity.synthetic import generate, write_sources


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sample")
    return write_sources(generate(150, seed=5), folder), folder


def test_pull_rebuild_and_report_with_truth(cli_runner, sample):
    urls, folder = sample
    for system, url in urls.items():
        result = cli_runner("identity", "pull", "--source", system, "--url", url)
        assert result.exit_code == 0, result.output
        assert f"{system}: read" in result.output
    rebuilt = cli_runner("identity", "rebuild")
    assert rebuilt.exit_code == 0 and "merged 0, split off 0, new 0" in rebuilt.output
    report = cli_runner("identity", "report", "--truth", str(folder / "truth.csv"))
    assert report.exit_code == 0, report.output
    assert "precision" in report.output and "crm" in report.output
    precision = float(report.output.split("precision ")[1].split()[0])
    recall = float(report.output.split("recall ")[1].split()[0])
    assert precision >= 0.95 and recall >= 0.95


def test_pull_with_a_custom_mapping_file(cli_runner, sample, tmp_path):
    urls, _ = sample
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "systems:\n  crm:\n    table: contacts\n    key: contact_id\n    fields:\n      emails: [email]\n"
    )
    result = cli_runner(
        "identity", "pull", "--source", "crm", "--url", urls["crm"], "--mapping", str(mapping)
    )
    assert result.exit_code == 0, result.output
    missing = cli_runner(
        "identity", "pull", "--source", "erp", "--url", urls["crm"], "--mapping", str(mapping)
    )
    assert missing.exit_code == 1 and "no system 'erp'" in missing.output


def test_crosswalk_command(cli_runner, tmp_path):
    path = tmp_path / "xwalk.csv"
    path.write_text("source_system,source_key,customer_id\ncrm,C1,MDM-1\ncrm,C2,MDM-1\n")
    result = cli_runner("identity", "crosswalk", str(path))
    assert result.exit_code == 0, result.output
    assert "2 rows" in result.output and "2 waiting" in result.output
    path.write_text("source_system,source_key,customer_id\ncrm,C1,not valid!\n")
    bad = cli_runner("identity", "crosswalk", str(path))
    assert bad.exit_code == 1 and "rows[0].customer_id" in bad.output


def test_rebuild_with_broken_rules_names_the_field(cli_runner, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("version: v2\nrules:\n  - {name: x, kind: phone, require: []}\n")
    result = cli_runner("identity", "rebuild", "--rules", str(rules))
    assert result.exit_code == 1 and "rules[0].require" in result.output
