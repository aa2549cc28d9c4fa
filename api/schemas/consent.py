"""Schemas for consent ingestion, decisions, eligibility, history and policy versions."""

from datetime import UTC

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

SUBJECT_KINDS = ("customer", "email", "phone", "source_key")


class IngestOut(Schema):
    batch_id = fields.String(metadata={"description": "Id of this batch in the audit log"})
    received = fields.Integer()
    stored = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"description": "New per event type"}
    )
    duplicates = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Already stored with the same content, per event type"},
    )
    customers_recomputed = fields.Integer()
    decisions_written = fields.Integer()


class DecisionQuery(Schema):
    customer = fields.String(required=True, validate=validate.Length(min=1, max=64))
    channel = fields.String(required=True, validate=validate.Length(min=1, max=20))
    purpose = fields.String(required=True, validate=validate.Length(min=1, max=80))
    contact_point = fields.String(load_default=None, validate=validate.Length(max=400))
    at = fields.AwareDateTime(
        load_default=None,
        default_timezone=UTC,
        metadata={"description": "Decide from the facts captured up to this instant"},
    )
    known_at = fields.AwareDateTime(
        load_default=None,
        default_timezone=UTC,
        metadata={"description": "Compliance only: and received by this instant (what Concord knew then)"},
    )


class DecidedByOut(Schema):
    kind = fields.String()
    id = fields.String()
    source = fields.String()
    captured_at = fields.DateTime(allow_none=True)
    received_at = fields.DateTime(allow_none=True)
    method = fields.String(allow_none=True)
    evidence = fields.Dict(allow_none=True)


class ConsideredOut(Schema):
    kind = fields.String()
    id = fields.String()
    source = fields.String(allow_none=True)
    captured_at = fields.DateTime(allow_none=True)
    effect = fields.String()
    slot = fields.String(allow_none=True)
    status = fields.String(allow_none=True)


class DecisionOut(Schema):
    allowed = fields.Boolean()
    reason = fields.String()
    contact_point = fields.String(allow_none=True)
    customer_id = fields.String(allow_none=True, metadata={"description": "Compliance and admin only"})
    channel = fields.String()
    purpose = fields.String()
    decided_by = fields.Nested(DecidedByOut, allow_none=True)
    considered = fields.List(fields.Nested(ConsideredOut))
    policy_version = fields.String()
    as_of = fields.DateTime()
    known_at = fields.DateTime(allow_none=True)
    valid_until = fields.DateTime(
        allow_none=True, metadata={"description": "When time alone could change it"}
    )
    rule = fields.String(allow_none=True)


class EligibilityQuery(Schema):
    customer = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    email = fields.String(load_default=None, validate=validate.Length(min=1, max=320))
    phone = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    source_key = fields.String(
        load_default=None,
        validate=validate.Length(min=3, max=250),
        metadata={"description": "system:key, e.g. crm:C0001234"},
    )
    channel = fields.String(required=True, validate=validate.Length(min=1, max=20))
    purpose = fields.String(required=True, validate=validate.Length(min=1, max=80))
    contact_point = fields.String(load_default=None, validate=validate.Length(max=400))
    at = fields.AwareDateTime(load_default=None, default_timezone=UTC)

    @validates_schema
    def one_subject(self, data, **kwargs):
        given = [k for k in SUBJECT_KINDS if data.get(k)]
        if len(given) != 1:
            raise ValidationError(
                "give exactly one of customer, email, phone or source_key", field_name="customer"
            )


class EligibilityOut(Schema):
    allowed = fields.Boolean()
    reason = fields.String()
    contact_point = fields.String(allow_none=True)
    customer_id = fields.String(allow_none=True, metadata={"description": "Compliance and admin only"})
    policy_version = fields.String(allow_none=True)
    as_of = fields.DateTime(allow_none=True)
    valid_until = fields.DateTime(allow_none=True)
    decided_by = fields.Dict(allow_none=True)
    basis = fields.String(metadata={"description": "stored (unified table) or live (evaluated now)"})


class BulkIn(Schema):
    """Documented shape of the bulk body (parsed with orjson by the view)."""

    channel = fields.String(required=True)
    purpose = fields.String(required=True)
    at = fields.DateTime(metadata={"description": "Point in time (up to 10,000 subjects)"})
    kind = fields.String(
        validate=validate.OneOf(SUBJECT_KINDS),
        metadata={"description": "When given, subjects are plain strings of this kind"},
    )
    subjects = fields.List(
        fields.Raw(),
        required=True,
        metadata={"description": 'Up to 100,000 of {"customer"|"email"|"phone"|"source_key": value}'},
    )


class HistoryEntryOut(Schema):
    kind = fields.String()
    id = fields.String()
    source = fields.String()
    captured_at = fields.DateTime()
    received_at = fields.DateTime()
    details = fields.Dict()


class HistoryOut(Schema):
    customer_id = fields.String()
    jurisdiction = fields.String(allow_none=True)
    contact_points = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    entries = fields.List(fields.Nested(HistoryEntryOut))


class StoredDecisionOut(Schema):
    channel = fields.String()
    purpose = fields.String()
    contact_point = fields.String(allow_none=True)
    allowed = fields.Boolean()
    reason = fields.String()
    decided_by_kind = fields.String(allow_none=True)
    decided_by_id = fields.String(allow_none=True)
    decided_by_source = fields.String(allow_none=True)
    policy_version = fields.String()
    evaluated_at = fields.DateTime()
    valid_until = fields.DateTime(allow_none=True)
    rule = fields.String(allow_none=True)


class PolicyVersionOut(Schema):
    version = fields.String()
    checksum = fields.String()
    description = fields.String()
    uploaded_at = fields.DateTime(allow_none=True)
    uploaded_by = fields.String()
    active = fields.Boolean()
    activated_at = fields.DateTime(allow_none=True)
    activated_by = fields.String(allow_none=True)
    stored = fields.Boolean(metadata={"description": "False for the built-in reference before any upload"})


class PolicyDetailOut(PolicyVersionOut):
    text = fields.String(metadata={"description": "The YAML document exactly as uploaded"})


class PolicyText(Schema):
    """Documented body of uploads and dry-runs: the YAML text (or send it raw as application/yaml)."""

    yaml = fields.String(required=True)


class TransitionOut(Schema):
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    count = fields.Integer()


class DryRunOut(Schema):
    candidate = fields.String()
    active = fields.String()
    customers = fields.Integer()
    decisions = fields.Integer()
    changed = fields.Integer()
    transitions = fields.List(fields.Nested(TransitionOut))
    sample = fields.List(fields.Dict())


class ActivateOut(Schema):
    version = fields.String()
    previous = fields.String(allow_none=True)
    customers = fields.Integer()
    decisions = fields.Integer()


class RebuildOut(Schema):
    customers = fields.Integer()
    decisions = fields.Integer()


class FeedQuery(Schema):
    format = fields.String(required=True, validate=validate.OneOf(("csv", "jsonl")))
    source = fields.String(
        load_default=None, metadata={"description": "Source for rows that do not name one"}
    )
    name = fields.String(load_default="upload", metadata={"description": "File name, for lineage and audit"})
