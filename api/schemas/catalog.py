"""Schemas for the catalogue: datasets, schema versions, classes, search, sources and scans."""

from marshmallow import Schema, fields, validate

ORIGINS = ["openlineage", "scan", "dbt", "manual", "concord"]


class DatasetOut(Schema):
    id = fields.String()
    namespace = fields.String()
    name = fields.String()
    node_id = fields.String(metadata={"description": "Lineage node id: dataset:{namespace}:{name}"})
    display_name = fields.String(allow_none=True)
    kind = fields.String()
    description = fields.String(allow_none=True)
    source_system = fields.String(allow_none=True)
    origin = fields.String()
    status = fields.String(metadata={"description": "active or dropped"})
    certification = fields.String(metadata={"description": "draft, certified or deprecated"})
    certification_expired = fields.Boolean()
    row_count = fields.Integer(allow_none=True)
    current_version = fields.Integer()
    last_updated_at = fields.DateTime(allow_none=True)
    stale = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class DatasetPageOut(Schema):
    total = fields.Integer()
    datasets = fields.List(fields.Nested(DatasetOut))


class DatasetListQuery(Schema):
    namespace = fields.String(load_default=None)
    source_system = fields.String(load_default=None)
    status = fields.String(load_default="active", validate=validate.OneOf(["active", "dropped", "all"]))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class LookupQuery(Schema):
    namespace = fields.String(required=True)
    name = fields.String(required=True)


class ColumnIn(Schema):
    name = fields.String(required=True)
    type = fields.String(load_default=None, allow_none=True)
    description = fields.String(load_default=None, allow_none=True)
    ordinal = fields.Integer(load_default=None, allow_none=True)


class OwnerIn(Schema):
    owner = fields.String(required=True, metadata={"description": "user:<name> or team:<name>"})
    role = fields.String(load_default="owner")


class DatasetIn(Schema):
    namespace = fields.String(
        required=True, metadata={"description": "OpenLineage namespace, e.g. postgres://db:5432"}
    )
    name = fields.String(
        required=True, metadata={"description": "OpenLineage name, e.g. crm.public.contacts"}
    )
    columns = fields.List(fields.Nested(ColumnIn), load_default=None, allow_none=True)
    description = fields.String(load_default=None, allow_none=True)
    display_name = fields.String(load_default=None, allow_none=True)
    source_system = fields.String(load_default=None, allow_none=True)
    kind = fields.String(load_default=None, allow_none=True)
    owners = fields.List(fields.Nested(OwnerIn), load_default=list)


class RegisteredOut(Schema):
    id = fields.String()
    namespace = fields.String()
    name = fields.String()
    created = fields.Boolean()
    new_version = fields.Integer(allow_none=True)


class DatasetPatch(Schema):
    description = fields.String(load_default=None, allow_none=True)
    display_name = fields.String(load_default=None, allow_none=True)


class OwnerOut(Schema):
    name = fields.String()
    kind = fields.String()
    role = fields.String()


class ClassOut(Schema):
    id = fields.Integer()
    column = fields.String()
    pii_class = fields.String()
    status = fields.String(metadata={"description": "suggested, confirmed or rejected"})
    source = fields.String(metadata={"description": "rule:<name>, propagated or steward"})
    confidence = fields.Float(allow_none=True)
    match_share = fields.Float(allow_none=True)
    from_node = fields.String(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    note = fields.String(allow_none=True)


class ColumnOut(Schema):
    name = fields.String()
    type = fields.String(allow_none=True)
    ordinal = fields.Integer()
    description = fields.String(allow_none=True)
    nullable = fields.Boolean(allow_none=True)
    classes = fields.List(fields.Nested(ClassOut))
    sample = fields.List(fields.String(allow_none=True), allow_none=True)
    sample_masked = fields.Boolean(
        metadata={"description": "True when PII sample values are masked for your role"}
    )


class CertificationOut(Schema):
    status = fields.String()
    certified_by = fields.String(allow_none=True)
    certified_at = fields.DateTime(allow_none=True)
    note = fields.String(allow_none=True)
    expires_at = fields.DateTime(allow_none=True)
    expired = fields.Boolean()
    replaced_by = fields.Nested(DatasetOut, allow_none=True)


class FreshnessOut(Schema):
    expected_update_seconds = fields.Integer(allow_none=True)
    last_updated_at = fields.DateTime(allow_none=True)
    last_update_source = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    stale = fields.Boolean()
    stale_since = fields.DateTime(allow_none=True)


class PopularityOut(Schema):
    views = fields.Integer()
    queries = fields.Integer()
    score = fields.Float()
    top_readers = fields.Function(lambda p: [{"reader": r, "count": c} for r, c in p.top_readers])
    daily = fields.Function(
        lambda p: [{"day": d.isoformat(), "views": v, "queries": q} for d, v, q in p.daily]
    )


class DatasetDetailOut(Schema):
    dataset = fields.Nested(DatasetOut)
    columns = fields.List(fields.Nested(ColumnOut))
    owners = fields.List(fields.Nested(OwnerOut))
    tags = fields.List(fields.String())
    certification = fields.Nested(CertificationOut)
    freshness = fields.Nested(FreshnessOut)
    popularity = fields.Nested(PopularityOut)
    terms = fields.List(fields.Dict())
    metrics = fields.List(fields.Dict())
    aliases = fields.List(fields.Dict())


class SchemaVersionOut(Schema):
    version = fields.Integer()
    columns = fields.List(fields.Dict())
    changes = fields.Dict(metadata={"description": "added, removed, changed (type) and reordered"})
    origin = fields.String()
    created_at = fields.DateTime()
    created_by = fields.String()


class CompareQuery(Schema):
    from_version = fields.Integer(required=True, data_key="from")
    to_version = fields.Integer(required=True, data_key="to")


class CompareOut(Schema):
    from_version = fields.Integer()
    to_version = fields.Integer()
    added = fields.List(fields.String())
    removed = fields.List(fields.String())
    changed = fields.List(fields.Dict())
    reordered = fields.Boolean()


class SearchQuery(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=500))
    source_system = fields.List(fields.String(), load_default=list)
    classification = fields.List(fields.String(), load_default=list)
    certification = fields.List(fields.String(), load_default=list)
    owner = fields.List(fields.String(), load_default=list)
    tag = fields.List(fields.String(), load_default=list)
    include_dropped = fields.Boolean(load_default=False)
    prefix = fields.Boolean(
        load_default=False, metadata={"description": "Treat the last word as a prefix (search as you type)"}
    )
    facets = fields.Boolean(load_default=True)
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000))


class HitOut(Schema):
    id = fields.String()
    namespace = fields.String()
    name = fields.String()
    display_name = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    kind = fields.String()
    source_system = fields.String(allow_none=True)
    status = fields.String()
    certification = fields.String()
    certification_expired = fields.Boolean()
    stale = fields.Boolean()
    last_updated_at = fields.DateTime(allow_none=True)
    row_count = fields.Integer(allow_none=True)
    score = fields.Float()
    owners = fields.List(fields.String())
    tags = fields.List(fields.String())


class SearchOut(Schema):
    query = fields.String()
    mode = fields.String(
        metadata={
            "description": "browse, all (every word), any (some word), prefix (last word as a prefix) or corrected"
        }
    )
    corrected_query = fields.String(allow_none=True)
    total = fields.Integer(metadata={"description": "Exact up to 10,000 matches, else an estimate"})
    total_exact = fields.Boolean()
    facets_exhaustive = fields.Boolean(
        metadata={"description": "False when facet counts are estimated from a sample"}
    )
    limit = fields.Integer()
    offset = fields.Integer()
    hits = fields.List(fields.Nested(HitOut))
    facets = fields.Function(
        lambda r: {k: [{"value": v.value, "count": v.count} for v in vals] for k, vals in r.facets.items()}
    )


class SuggestQuery(Schema):
    q = fields.String(required=True, validate=validate.Length(max=200))
    limit = fields.Integer(load_default=8, validate=validate.Range(min=1, max=50))


class SuggestionOut(Schema):
    term = fields.String()
    doc_count = fields.Integer()
    distance = fields.Integer(
        metadata={"description": "0 for a completion, else the edits from what was typed"}
    )
