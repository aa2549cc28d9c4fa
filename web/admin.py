"""Administration pages: API tokens, web users, and the audit log with its verification."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask import session as session_cookie
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from api.context import db_session
from core import audit, tokens, users
from core.errors import ConcordError
from core.roles import ALL_ROLES, Role
from web.auth import login_required
from web.fields import put_error

bp = Blueprint("admin", __name__, url_prefix="/admin")
ROLE_CHOICES = list(ALL_ROLES)


class TokenForm(FlaskForm):
    """A new API token."""

    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    role = SelectField("Role", choices=ROLE_CHOICES)


class UserForm(FlaskForm):
    """A new web user."""

    username = StringField("Username", validators=[DataRequired(), Length(max=120)])
    display_name = StringField("Display name", validators=[Length(max=200)])
    role = SelectField("Role", choices=ROLE_CHOICES)
    password = PasswordField("Password", validators=[DataRequired(), Length(min=10, max=200)])


@bp.route("/access", methods=["GET", "POST"])
@login_required(Role.ADMIN)
def access():
    """List tokens and create one (its secret is shown once on this page) or a web user."""
    token_form, user_form = TokenForm(prefix="token"), UserForm(prefix="user")
    created_secret = session_cookie.pop("new_token", None) if request.method == "GET" else None
    session = db_session()
    try:
        if request.method == "POST" and "token-name" in request.form and token_form.validate_on_submit():
            created = tokens.create_token(
                session, role=token_form.role.data, name=token_form.name.data, actor=g.user.actor
            )
            # Post/redirect/get: a reload must not create a second token. The secret rides in the
            # signed session cookie of this browser only until the next page view pops it.
            session_cookie["new_token"] = created.secret
            return redirect(url_for("admin.access"))
        elif request.method == "POST" and "user-username" in request.form and user_form.validate_on_submit():
            users.create_user(
                session,
                username=user_form.username.data,
                password=user_form.password.data,
                role=user_form.role.data,
                display_name=user_form.display_name.data or "",
                actor=g.user.actor,
            )
            flash(f"User {user_form.username.data} created.")
            return redirect(url_for("admin.access"))
    except ConcordError as exc:
        put_error(token_form if "token-name" in request.form else user_form, exc)
    return render_template(
        "admin/access.html",
        tokens=tokens.list_tokens(session),
        token_form=token_form,
        user_form=user_form,
        created_secret=created_secret,
    )


@bp.route("/tokens/<token_id>/revoke", methods=["POST"])
@login_required(Role.ADMIN)
def revoke(token_id: str):
    """Revoke a token."""
    if FlaskForm().validate_on_submit():
        tokens.revoke_token(db_session(), token_id=token_id, actor=g.user.actor)
        flash(f"Token {token_id} revoked.")
    return redirect(url_for("admin.access"))


@bp.route("/audit")
@login_required(Role.COMPLIANCE)
def audit_log():
    """The newest audit entries, paged, with the result of verifying the whole chain."""
    before = request.args.get("before", type=int)
    session = db_session()
    entries = audit.recent(session, limit=100, before_seq=before)
    return render_template("admin/audit.html", entries=entries, verification=audit.verify(session))
