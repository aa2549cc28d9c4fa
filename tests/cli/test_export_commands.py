"""`concord export` and `concord exports ...` through click's runner, on both databases."""

from __future__ import annotations

import orjson

from identity import service as identity

EVENTS = [
    {"type": "profile", "source": "crm", "source_key": "C1", "jurisdiction": "DE", "emails": ["ann@example.com"],
     "first_name": "Ann", "last_name": "Lee"},
    {"type": "profile", "source": "crm", "source_key": "C2", "jurisdiction": "DE", "emails": ["bob@example.com"],
     "first_name": "Bob", "last_name": "Ray"},
    {"type": "consent", "source": "crm", "id": "p1", "source_key": "C1", "channel": "email", "purpose": "marketing",
     "status": "opt_in", "method": "web_form", "captured_at": "2025-01-01T00:00:00Z",
     "evidence": {"capture_source": "crm:form"}},
]  # fmt: skip


def test_export_writes_the_compliant_list_and_prints_counts_per_reason(cli_runner, db, tmp_path):
    feed = tmp_path / "events.jsonl"
    feed.write_bytes(b"\n".join(orjson.dumps(e) for e in EVENTS) + b"\n")
    assert cli_runner("consent", "ingest", str(feed)).exit_code == 0
    segment = tmp_path / "segment.csv"
    segment.write_text("email\nann@example.com\nbob@example.com\nghost@example.com\nann@example.com\n")
    out = tmp_path / "out.csv"
    result = cli_runner(
        "export", "--channel", "email", "--purpose", "marketing", str(segment), "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    with db.session() as session:
        ann = identity.resolve(session, source_key="crm:C1")[0]
    assert out.read_text().splitlines() == [
        "customer_id,contact_point,reason",
        f"{ann},ann@example.com,explicit_opt_in",
    ]
    assert "4 rows in, 1 compliant, 3 excluded" in result.stdout
    assert "excluded  duplicate" in result.stdout and "excluded  no_consent" in result.stdout
    export_id = result.stdout.split()[1].rstrip(":")
    listed = cli_runner("exports", "list")
    assert export_id in listed.stdout
    status = cli_runner("exports", "status", export_id)
    assert status.stdout.startswith("4/4 rows (100%)")
    again = cli_runner("exports", "recheck", export_id)
    assert again.stdout.startswith("0 of 1 no longer eligible")


def test_bad_segment_names_the_field_and_exits_1(cli_runner, tmp_path):
    segment = tmp_path / "segment.csv"
    segment.write_text("name\nAnn\n")
    result = cli_runner("export", "--channel", "email", "--purpose", "marketing", str(segment))
    assert result.exit_code == 1
    assert "columns" in result.output
    assert "no exports yet" in cli_runner("exports", "list").stdout
