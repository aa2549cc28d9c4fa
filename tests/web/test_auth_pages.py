"""Sign-in, sign-out, role checks and CSRF on the web pages (Flask test client)."""

import pytest


def test_pages_redirect_to_login_when_signed_out(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_wrong_password_shows_message_and_keeps_username(client, web_user, csrf_of):
    web_user("analyst")
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login", data={"username": "analyst", "password": "wrong-password", "csrf_token": csrf_of(page)}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "wrong username or password" in html
    assert 'value="analyst"' in html


def test_login_without_csrf_token_is_refused(client, web_user):
    web_user("analyst")
    response = client.post("/login", data={"username": "analyst", "password": "correct-horse-battery"})
    assert response.status_code == 200
    assert "CSRF" in response.get_data(as_text=True)


def test_open_redirect_is_not_followed(client, web_user, csrf_of):
    web_user("analyst")
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login?next=//evil.example/x",
        data={"username": "analyst", "password": "correct-horse-battery", "csrf_token": csrf_of(page)},
    )
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("compliance", 403), ("marketing", 403)])
def test_access_page_is_admin_only(signed_in, role, status):
    assert signed_in(role).get("/admin/access").status_code == status


@pytest.mark.parametrize(
    ("role", "status"), [("compliance", 200), ("admin", 200), ("analyst", 403), ("marketing", 403)]
)
def test_audit_page_for_compliance(signed_in, role, status):
    assert signed_in(role).get("/admin/audit").status_code == status


def test_admin_creates_token_and_secret_is_shown_once(signed_in, csrf_of):
    client = signed_in("admin")
    page = client.get("/admin/access").get_data(as_text=True)
    response = client.post(
        "/admin/access",
        data={"token-name": "braze", "token-role": "marketing", "token-csrf_token": csrf_of(page)},
    )
    assert response.status_code == 302
    html = client.get("/admin/access").get_data(as_text=True)
    assert "copy it now" in html and "cnc_" in html
    again = client.get("/admin/access").get_data(as_text=True)
    assert "braze" in again and "copy it now" not in again


def test_form_error_is_shown_next_to_the_field(signed_in, csrf_of):
    client = signed_in("admin")
    page = client.get("/admin/access").get_data(as_text=True)
    response = client.post(
        "/admin/access",
        data={
            "user-username": "newbie",
            "user-role": "analyst",
            "user-password": "short",
            "user-csrf_token": csrf_of(page),
        },
    )
    html = response.get_data(as_text=True)
    assert 'id="user-password-error"' in html
    assert 'value="newbie"' in html


def test_user_text_is_escaped(signed_in, csrf_of):
    client = signed_in("admin")
    page = client.get("/admin/access").get_data(as_text=True)
    client.post(
        "/admin/access",
        data={
            "token-name": "<script>alert(1)</script>",
            "token-role": "analyst",
            "token-csrf_token": csrf_of(page),
        },
    )
    html = client.get("/admin/access").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_api_with_session_cookie_needs_csrf_header_for_writes(signed_in, csrf_of):
    client = signed_in("admin")
    assert client.get("/api/v1/tokens").status_code == 200
    refused = client.post("/api/v1/tokens", json={"name": "x", "role": "analyst"})
    assert refused.status_code == 403 and refused.json["field"] == "X-CSRFToken"
    token = csrf_of(client.get("/").get_data(as_text=True))
    assert (
        client.post(
            "/api/v1/tokens", json={"name": "x", "role": "analyst"}, headers={"X-CSRFToken": token}
        ).status_code
        == 201
    )


def test_html_404_page(signed_in):
    response = signed_in("analyst").get("/no-such-page")
    assert response.status_code == 404
    assert "Check the address" in response.get_data(as_text=True)


def test_sign_out(signed_in, csrf_of):
    client = signed_in("analyst")
    token = csrf_of(client.get("/").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/").status_code == 302


def test_domain_error_in_a_page_is_an_html_page(app, signed_in):
    from core.errors import NotFound
    from web.auth import login_required

    @app.route("/test-raises")
    @login_required()
    def raises():
        raise NotFound("no dataset called x; search the catalogue")

    response = signed_in("analyst").get("/test-raises")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "no dataset called x" in response.get_data(as_text=True)


def test_unexpected_error_in_a_page_is_an_html_500(app, signed_in):
    from web.auth import login_required

    @app.route("/test-crashes")
    @login_required()
    def crashes():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = signed_in("analyst").get("/test-crashes")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert "boom" not in response.get_data(as_text=True)
