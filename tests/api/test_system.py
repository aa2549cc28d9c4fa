"""Health, version, tokens, audit endpoints and the error format."""

import gzip

import orjson


def test_healthz_reports_database(client, backend):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": backend, "migrations_current": True}


def test_version_is_public(client):
    body = client.get("/api/v1/version").json
    assert body["name"] == "concord" and body["api"] == "v1"


def test_missing_token_is_401_with_challenge(client):
    response = client.get("/api/v1/tokens")
    assert response.status_code == 401
    assert response.json["error"] == "unauthorized"
    assert response.json["field"] == "Authorization"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_token_is_401(client):
    response = client.get("/api/v1/tokens", headers={"Authorization": "Bearer cnc_not-a-real-token"})
    assert response.status_code == 401


def test_wrong_scheme_is_401(client):
    response = client.get("/api/v1/tokens", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401


def test_wrong_role_is_403(client, token):
    response = client.get("/api/v1/tokens", headers=token("analyst"))
    assert response.status_code == 403
    assert response.json["error"] == "forbidden"


def test_admin_creates_token_shown_once_and_it_works(client, token):
    admin = token("admin")
    created = client.post("/api/v1/tokens", json={"name": "crm-sync", "role": "ingest"}, headers=admin)
    assert created.status_code == 201
    secret = created.json["token"]
    listed = client.get("/api/v1/tokens", headers=admin).json
    assert all("token" not in row and secret not in str(row) for row in listed)
    assert client.get("/api/v1/audit", headers={"Authorization": f"Bearer {secret}"}).status_code == 403


def test_revoked_token_is_401(client, token):
    admin = token("admin")
    created = client.post("/api/v1/tokens", json={"name": "tmp", "role": "compliance"}, headers=admin).json
    headers = {"Authorization": f"Bearer {created['token']}"}
    assert client.get("/api/v1/audit", headers=headers).status_code == 200
    assert client.delete(f"/api/v1/tokens/{created['id']}", headers=admin).status_code == 204
    assert client.get("/api/v1/audit", headers=headers).status_code == 401


def test_validation_error_names_the_field(client, token):
    response = client.post("/api/v1/tokens", json={"name": "x", "role": "wizard"}, headers=token("admin"))
    assert response.status_code == 422
    assert response.json["error"] == "invalid_input"
    assert response.json["field"] == "role"


def test_malformed_json_is_400_and_writes_nothing(client, token):
    admin = token("admin")
    before = client.get("/api/v1/audit", headers=admin).json
    response = client.post(
        "/api/v1/tokens",
        data=b'{"name": "x", "role": ',
        headers={**admin, "Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422)
    assert response.json["error"] in ("bad_request", "invalid_input")
    assert client.get("/api/v1/audit", headers=admin).json == before


def test_gzip_body_is_accepted(client, token):
    body = gzip.compress(orjson.dumps({"name": "gz", "role": "analyst"}))
    response = client.post(
        "/api/v1/tokens",
        data=body,
        headers={**token("admin"), "Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert response.status_code == 201
    assert response.json["role"] == "analyst"


def test_corrupt_gzip_is_400(client, token):
    response = client.post(
        "/api/v1/tokens",
        data=b"\x1f\x8b\x08\x00garbage",
        headers={**token("admin"), "Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert response.status_code == 400
    assert "gzip" in response.json["message"]


def test_body_over_limit_is_413(app, client, token):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post(
        "/api/v1/tokens", json={"name": "x" * 5000, "role": "analyst"}, headers=token("admin")
    )
    assert response.status_code == 413
    assert response.json["error"] == "payload_too_large"


def test_gzip_bomb_is_413(app, client, token):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    bomb = gzip.compress(b'{"name": "' + b"a" * 1_000_000 + b'", "role": "analyst"}')
    response = client.post(
        "/api/v1/tokens",
        data=bomb,
        headers={**token("admin"), "Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert response.status_code == 413


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["error"] == "not_found"


def test_audit_verify_endpoint(client, token):
    headers = token("compliance")
    body = client.get("/api/v1/audit/verify", headers=headers).json
    assert body["ok"] is True and body["checked"] >= 1


def test_openapi_document_lists_secured_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    post = spec["paths"]["/api/v1/tokens"]["post"]
    assert post["security"] == [{"bearerAuth": []}]
    assert "TokenIn" in str(post["requestBody"])


def test_swagger_ui_served_without_cdn(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert b"/api/v1/docs-assets/" in page.data
    assert client.get("/api/v1/docs-assets/swagger-ui-bundle.js").status_code == 200


def test_every_endpoint_checks_a_role_or_is_marked_public(app):
    unguarded = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        if not (getattr(view, "_concord_roles", None) or getattr(view, "_concord_public", False)):
            unguarded.append(rule.rule)
    assert unguarded == []
