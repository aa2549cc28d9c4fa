"""Signed-cookie sessions that cost nothing on requests without a session cookie (API calls)."""

from __future__ import annotations

from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class LazyCookieSessions(SecureCookieSessionInterface):
    """Flask's cookie sessions, without building a signing serializer when there is no cookie to read.

    Flask builds one on every request; for token-authenticated API calls (no cookie) that was a fifth of
    an eligibility check. Saving a new session still signs it as before.
    """

    def open_session(self, app, request) -> SecureCookieSession | None:
        if app.secret_key and request.cookies.get(self.get_cookie_name(app)) is None:
            return self.session_class()
        return super().open_session(app, request)
