"""Schemas for health, version, tokens, users and the audit log."""

from marshmallow import Schema, fields, validate

from core.roles import ALL_ROLES


class HealthOut(Schema):
    status = fields.String(metadata={"description": "ok or unavailable"})
    database = fields.String(metadata={"description": "sqlite or postgresql"})
    migrations_current = fields.Boolean()


class VersionOut(Schema):
    name = fields.String()
    version = fields.String()
    api = fields.String()


class TokenIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True, validate=validate.OneOf(ALL_ROLES))


class TokenOut(Schema):
    id = fields.String()
    name = fields.String()
    role = fields.String()
    prefix = fields.String(metadata={"description": "First characters of the token, to recognise it"})
    created_at = fields.DateTime()
    created_by = fields.String()
    revoked_at = fields.DateTime(allow_none=True)


class CreatedTokenOut(Schema):
    id = fields.String()
    name = fields.String()
    role = fields.String()
    token = fields.String(metadata={"description": "The secret; shown this once and never again"})


class UserIn(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=120))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=10))
    role = fields.String(required=True, validate=validate.OneOf(ALL_ROLES))
    display_name = fields.String(load_default="")


class UserOut(Schema):
    id = fields.String()
    username = fields.String()
    display_name = fields.String()
    role = fields.String()


class AuditEntryOut(Schema):
    seq = fields.Integer()
    at = fields.DateTime()
    actor = fields.String()
    actor_role = fields.String()
    action = fields.String()
    entity_type = fields.String()
    entity_id = fields.String()
    details = fields.Dict()
    prev_hash = fields.String()
    hash = fields.String()


class AuditQuery(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=1000))
    before_seq = fields.Integer(load_default=None, allow_none=True)


class AuditVerificationOut(Schema):
    ok = fields.Boolean()
    checked = fields.Integer()
    head_seq = fields.Integer()
    head_hash = fields.String()
    problems = fields.List(fields.String())
