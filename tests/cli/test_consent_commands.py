"""`concord consent ...` through click's runner: ingest, decision, rebuild, pull errors, policy versions."""

from __future__ import annotations

import orjson

from consent.policy_loader import reference_text
from identity import service as identity

EVENTS = [
    {"type": "profile", "source": "crm", "source_key": "C1", "jurisdiction": "US-NY", "emails": ["ann@example.com"],
     "first_name": "Ann", "last_name": "Lee"},
    {"type": "consent", "source": "crm", "id": "p1", "source_key": "C1", "channel": "email", "purpose": "marketing",
     "status": "opt_out", "method": "unsubscribe_link", "captured_at": "2025-01-01T00:00:00Z"},
]  # fmt: skip


def test_ingest_then_explain_a_decision(cli_runner, db, tmp_path):
    feed = tmp_path / "events.jsonl"
    feed.write_bytes(b"\n".join(orjson.dumps(e) for e in EVENTS) + b"\n")
    result = cli_runner("consent", "ingest", str(feed))
    assert result.exit_code == 0, result.output
    assert "stored: consent 1, profile 1" in result.stdout
    with db.session() as session:
        ann = identity.resolve(session, source_key="crm:C1")[0]
    shown = cli_runner(
        "consent", "decision", "--customer", ann, "--channel", "email", "--purpose", "marketing"
    )
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith("DENIED (opt_out)")
    assert "decided by consent p1 from crm" in shown.stdout
    before = cli_runner("consent", "decision", "--customer", ann, "--channel", "email", "--purpose", "marketing",
                        "--at", "2024-12-01T00:00:00Z", "--json")  # fmt: skip
    assert orjson.loads(before.stdout)["reason"] == "nonrestrictive_default"
    rebuilt = cli_runner("consent", "rebuild")
    assert rebuilt.exit_code == 0 and "for 1 customers" in rebuilt.stdout


def test_bad_file_names_the_line_and_exits_1(cli_runner, tmp_path):
    feed = tmp_path / "events.csv"
    feed.write_text("type,source,id,source_key,channel,purpose,status,method,captured_at\n"
                    "consent,crm,p1,C1,email,marketing,maybe,web_form,2025-01-01T00:00:00Z\n")  # fmt: skip
    result = cli_runner("consent", "ingest", str(feed))
    assert result.exit_code == 1
    assert "line 2, status: unknown status 'maybe'" in result.output


def test_pull_with_a_bad_source_or_url(cli_runner, tmp_path):
    unknown = cli_runner("consent", "pull", "--source", "erp", "--url", str(tmp_path / "x.db"))
    assert unknown.exit_code == 1 and "has no source 'erp'" in unknown.output
    missing = cli_runner("consent", "pull", "--source", "crm", "--url", str(tmp_path / "missing.db"))
    assert missing.exit_code == 1 and "no database file" in missing.output


def test_policy_versions(cli_runner, tmp_path):
    listed = cli_runner("consent", "policy", "list")
    assert listed.exit_code == 0 and "* reference-v1" in listed.stdout
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        reference_text().replace("policy: reference-v1", "policy: v2").replace("tie_break:", "tiebreak:")
    )
    rejected = cli_runner("consent", "policy", "upload", str(broken))
    assert rejected.exit_code == 1 and "evaluation.tiebreak" in rejected.output and "line " in rejected.output
    good = tmp_path / "v2.yaml"
    good.write_text(reference_text().replace("policy: reference-v1", "policy: v2"))
    assert cli_runner("consent", "policy", "upload", str(good)).exit_code == 0
    dry = cli_runner("consent", "policy", "dry-run", "v2")
    assert dry.exit_code == 0 and "0 of 0 decisions" in dry.stdout
    activated = cli_runner("consent", "policy", "activate", "v2")
    assert activated.exit_code == 0 and "v2 is active (was reference-v1)" in activated.stdout
    assert "policy: v2" in cli_runner("consent", "policy", "show", "v2").stdout
    assert "* v2" in cli_runner("consent", "policy", "list").stdout
