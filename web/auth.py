"""Sign-in with a password, the signed-in user on each request, and role checks for pages."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from api.context import db_session
from core import users
from core.errors import Unauthorized
from core.roles import ALL_ROLES, Role, allows

bp = Blueprint(
    "auth", __name__, template_folder="templates", static_folder="static", static_url_path="/assets"
)


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField("Username", validators=[DataRequired(), Length(max=120)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


def load_user() -> None:
    """Put the signed-in user (or None) on `g.user` for templates and checks."""
    g.user = None
    uid = session.get("uid")
    if uid and not request.path.startswith(("/api/", "/assets/")):
        g.user = users.get_user(db_session(), uid)
        if g.user is None:
            session.clear()


def template_context() -> dict[str, Any]:
    """Variables every template sees: the user and which areas their role opens."""
    user = g.get("user")
    role = user.role if user else None
    return {"current_user": user, "can": lambda *roles: bool(role) and allows(role, roles)}


def login_required(*roles: str | Role) -> Callable:
    """Allow the page only to signed-in users with one of `roles` (admin always); others get 403."""
    allowed = tuple(str(r) for r in roles) or ALL_ROLES

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            user = g.get("user")
            if user is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not allows(user.role, allowed):
                abort(403)
            return view(*args, **kwargs)

        wrapper._concord_roles = allowed
        return wrapper

    return decorator


def _safe_next(target: str | None) -> str:
    # Only same-site relative paths, so the login form cannot be used as an open redirect.
    if target and target.startswith("/") and not target.startswith("//") and not urlparse(target).netloc:
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in; a wrong username or password gets one message next to the form."""
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = users.sign_in(db_session(), username=form.username.data, password=form.password.data)
        except Unauthorized as exc:
            error = exc.message
        else:
            session.clear()
            session["uid"] = user.id
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")))
    status = 401 if error else 200
    return render_template("login.html", form=form, error=error), status


login._concord_public = True


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (POST with the CSRF token, so another site cannot sign people out)."""
    form = FlaskForm()
    if form.validate_on_submit():
        session.clear()
        flash("Signed out.")
    return redirect(url_for("auth.login"))


logout._concord_public = True
