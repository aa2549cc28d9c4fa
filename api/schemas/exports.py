"""Schemas for segment exports: the upload's parameters, export records, re-checks, membership, consent lineage."""

from datetime import UTC

from marshmallow import Schema, fields, validate

from consent.export_reads import DOWNLOAD_FORMATS
from consent.segments import FORMATS, KINDS


class SubmitQuery(Schema):
    channel = fields.String(required=True, validate=validate.Length(min=1, max=20))
    purpose = fields.String(required=True, validate=validate.Length(min=1, max=80))
    format = fields.String(
        load_default=None,
        validate=validate.OneOf(FORMATS),
        metadata={"description": "csv, jsonl or json (default: the file name's extension)"},
    )
    name = fields.String(
        load_default="", validate=validate.Length(max=300), metadata={"description": "File name (raw bodies)"}
    )
    column = fields.String(
        load_default=None,
        validate=validate.Length(max=40),
        metadata={"description": "The column holding subjects when the file has several identifier columns"},
    )
    kind = fields.String(
        load_default=None,
        validate=validate.OneOf(KINDS),
        metadata={"description": "The kind of every subject in a generic column (subject, value, id)"},
    )
    jurisdiction = fields.List(
        fields.String(validate=validate.Length(min=1, max=40)),
        load_default=list,
        metadata={
            "description": (
                "Keep only customers of these jurisdictions: codes (US also matches US-CA) or regions of the "
                "active policy (EU_EEA)"
            )
        },
    )
    campaign = fields.String(load_default="", validate=validate.Length(max=200))


class ExportOut(Schema):
    id = fields.String()
    state = fields.String(metadata={"description": "queued, running, done, failed or interrupted"})
    requested_by = fields.String()
    requested_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    channel = fields.String()
    purpose = fields.String()
    jurisdictions = fields.List(fields.String())
    campaign = fields.String()
    input_name = fields.String()
    input_format = fields.String()
    policy_version = fields.String(allow_none=True)
    as_of = fields.DateTime(allow_none=True)
    rows_total = fields.Integer()
    rows_done = fields.Integer()
    percent = fields.Float()
    output_rows = fields.Integer()
    excluded_rows = fields.Integer()
    excluded = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"description": "Per reason"}
    )
    included = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"description": "Per reason"}
    )
    checksum = fields.String(allow_none=True, metadata={"description": "sha256 of the compliant CSV"})
    retention_expires_at = fields.DateTime()
    files_deleted_at = fields.DateTime(allow_none=True)
    message = fields.String()


class ListQuery(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class DownloadQuery(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(DOWNLOAD_FORMATS))


class RecheckQuery(Schema):
    at = fields.AwareDateTime(
        load_default=None,
        default_timezone=UTC,
        metadata={"description": "Check at this instant (default: now)"},
    )


class LateOut(Schema):
    customer_id = fields.String()
    contact_point = fields.String(allow_none=True)
    reason = fields.String()


class RecheckOut(Schema):
    export_id = fields.String()
    at = fields.DateTime()
    checked = fields.Integer()
    no_longer_eligible = fields.List(fields.Nested(LateOut))
    reasons = fields.Dict(keys=fields.String(), values=fields.Integer())


class MembershipOut(Schema):
    export = fields.Nested(ExportOut)
    customer_id = fields.String()
    included = fields.Boolean()
    contact_point = fields.String(allow_none=True)
    reason = fields.String()
    decided_by_kind = fields.String(allow_none=True)
    decided_by_id = fields.String(allow_none=True)
    decided_by_source = fields.String(allow_none=True)


class RecordNodeOut(Schema):
    node_id = fields.String()
    id = fields.String()
    source = fields.String()
    channel = fields.String(allow_none=True)
    purpose = fields.String()
    status = fields.String()
    method = fields.String()
    scope = fields.String()
    contact_point = fields.String(allow_none=True)
    captured_at = fields.DateTime()
    received_at = fields.DateTime()


class DecisionNodeOut(Schema):
    node_id = fields.String()
    channel = fields.String()
    purpose = fields.String()
    contact_point = fields.String(allow_none=True)
    allowed = fields.Boolean()
    reason = fields.String()
    policy_version = fields.String()
    evaluated_at = fields.DateTime()
    decided_by_kind = fields.String(allow_none=True)
    decided_by_id = fields.String(allow_none=True)
    decided_by_source = fields.String(allow_none=True)


class EdgeOut(Schema):
    origin = fields.String(data_key="from")
    destination = fields.String(data_key="to")


class ConsentLineageOut(Schema):
    customer_id = fields.String()
    source_records = fields.List(fields.String())
    systems = fields.List(fields.String())
    records = fields.List(fields.Nested(RecordNodeOut))
    decisions = fields.List(fields.Nested(DecisionNodeOut))
    exports = fields.List(fields.Nested(MembershipOut))
    edges = fields.List(fields.Nested(EdgeOut))
