"""Readiness, Prometheus metrics, request ids and the access log."""

import logging
import uuid

import sqlalchemy as sa

from core import metrics
from tests.consent.conftest import consent, profile


def test_readyz_is_ready_on_a_current_database(client, backend):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {
        "ready": True,
        "database": backend,
        "database_reachable": True,
        "migrations_current": True,
        "shutting_down": False,
        "problems": [],
    }


def test_readyz_is_503_while_shutting_down(client, runtime):
    runtime.stopping.set()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["shutting_down"] is True and response.json["problems"] == ["shutting down"]


def test_readyz_is_503_when_the_schema_is_behind(client, db):
    with db.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE alembic_version SET version_num = 'core_0001' WHERE version_num = 'core_0002'")
        )
    try:
        response = client.get("/readyz")
    finally:
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "UPDATE alembic_version SET version_num = 'core_0002' WHERE version_num = 'core_0001'"
                )
            )
    assert response.status_code == 503
    assert response.json["migrations_current"] is False
    assert "concord init" in response.json["problems"][0]


def test_metrics_need_an_admin_token(client, token):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=token("analyst")).status_code == 403
    response = client.get("/metrics", headers=token("admin"))
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")


def test_metrics_count_requests_by_route_and_status(client, token):
    admin = token("admin")
    client.get("/api/v1/version")
    client.delete("/api/v1/tokens/tok_missing", headers=admin)
    text = client.get("/metrics", headers=admin).get_data(as_text=True)
    assert 'concord_http_requests_total{endpoint="/api/v1/version",method="GET",status="200"}' in text
    # The route pattern, not the raw path: ids never become label values.
    assert 'endpoint="/api/v1/tokens/<token_id>",method="DELETE",status="404"' in text
    assert "tok_missing" not in text
    assert 'concord_http_request_duration_seconds_bucket{endpoint="/api/v1/version"' in text


def test_domain_hooks_appear_in_metrics(client, token):
    metrics.count_decision("consent_opt_out", allowed=False, n=2)
    metrics.count_records_ingested("consent", 5, source="crm")
    metrics.observe_ingestion_lag("crm", 42.0)
    text = client.get("/metrics", headers=token("admin")).get_data(as_text=True)
    assert 'concord_decisions_total{allowed="false",reason="consent_opt_out"}' in text
    assert 'concord_records_ingested_total{source="crm",type="consent"}' in text
    assert 'concord_ingestion_lag_seconds_bucket{le="60.0",source="crm"}' in text


def test_every_response_carries_a_request_id(client):
    generated = client.get("/api/v1/version").headers["X-Request-ID"]
    assert len(generated) == 32
    assert (
        client.get("/api/v1/version", headers={"X-Request-ID": "lb-abc.123"}).headers["X-Request-ID"]
        == "lb-abc.123"
    )
    hostile = client.get("/api/v1/version", headers={"X-Request-ID": "x\u2028" + "y" * 100})
    assert hostile.headers["X-Request-ID"] != "x\u2028" + "y" * 100


def test_access_log_has_the_request_but_no_secrets_or_query(client, token, caplog):
    admin = token("admin")
    with caplog.at_level(logging.INFO, logger="concord.access"):
        client.get("/api/v1/tokens?secret=hunter2", headers={**admin, "X-Request-ID": "req-1"})
    (record,) = [r for r in caplog.records if r.name == "concord.access"]
    fields = record.fields
    assert fields["method"] == "GET" and fields["path"] == "/api/v1/tokens" and fields["status"] == 200
    assert fields["endpoint"] == "/api/v1/tokens" and fields["duration_ms"] >= 0
    assert "req-1" in record.getMessage()
    logged = record.getMessage() + str(fields)
    assert "hunter2" not in logged and admin["Authorization"].split()[1] not in logged


def test_probes_are_logged_at_debug_only(client, caplog):
    with caplog.at_level(logging.INFO, logger="concord.access"):
        client.get("/healthz")
        client.get("/readyz")
    assert [r for r in caplog.records if r.name == "concord.access"] == []


def _sample(name: str, labels: dict) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_ingestion_and_eligibility_traffic_is_counted(client, token):
    ingest, marketing = token("ingest"), token("marketing")
    src, gone = f"m{uuid.uuid4().hex[:8]}", f"r{uuid.uuid4().hex[:8]}"  # metrics outlive one test
    events = [profile("M1", source=src, emails=["m1@example.com"]),
              consent("mp1", "M1", source=src), consent("mp2", "M1", source=src, purpose="marketing.offers")]  # fmt: skip
    allowed = {"reason": "explicit_opt_in", "allowed": "true"}
    before = _sample("concord_decisions_total", allowed)
    assert client.post("/api/v1/consent/events", json={"events": events}, headers=ingest).status_code == 201
    refused = [
        consent("rb1", "M1", source=gone),
        consent("rb2", "M1", source=gone, status="x"),
    ]
    assert client.post("/api/v1/consent/events", json={"events": refused}, headers=ingest).status_code == 422
    query = f"source_key={src}:M1&channel=email&purpose=marketing"
    assert client.get(f"/api/v1/consent/eligibility?{query}", headers=marketing).json["allowed"] is True
    assert _sample("concord_decisions_total", allowed) == before + 1
    text = client.get("/metrics", headers=token("admin")).get_data(as_text=True)
    assert f'concord_records_ingested_total{{source="{src}",type="consent"}} 2.0' in text
    assert f'concord_ingestion_lag_seconds_count{{source="{src}"}} 2.0' in text
    assert f'source="{gone}"' not in text  # a refused batch stored nothing, so counts nothing
