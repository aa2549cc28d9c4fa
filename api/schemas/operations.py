"""Schemas for readiness."""

from marshmallow import Schema, fields


class ReadyOut(Schema):
    ready = fields.Boolean()
    database = fields.String(metadata={"description": "sqlite or postgresql"})
    database_reachable = fields.Boolean()
    migrations_current = fields.Boolean()
    shutting_down = fields.Boolean()
    problems = fields.List(fields.String(), metadata={"description": "Why the process is not ready"})
