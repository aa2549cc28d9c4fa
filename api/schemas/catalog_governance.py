"""Schemas for catalogue governance: certification, classification, sources, glossary, metrics, imports."""

from marshmallow import Schema, fields, validate


class CertifyIn(Schema):
    note = fields.String(required=True, metadata={"description": "What was checked"})
    expires_at = fields.DateTime(
        load_default=None, allow_none=True, metadata={"description": "Default: in a year"}
    )


class DeprecateIn(Schema):
    note = fields.String(required=True)
    replacement_id = fields.String(load_default=None, allow_none=True)


class NoteIn(Schema):
    note = fields.String(required=True)


class DraftIn(Schema):
    note = fields.String(load_default=None, allow_none=True)


class CertificationEventOut(Schema):
    action = fields.String()
    status = fields.String()
    by = fields.String()
    at = fields.DateTime()
    note = fields.String(allow_none=True)
    expires_at = fields.DateTime(allow_none=True)
    replacement_id = fields.String(allow_none=True)


class FreshnessIn(Schema):
    expected_update_seconds = fields.Integer(required=True, allow_none=True)


class TagsIn(Schema):
    tags = fields.List(fields.String(), required=True)


class TagsOut(Schema):
    tags = fields.List(fields.String())


class ColumnDescriptionIn(Schema):
    description = fields.String(required=True, allow_none=True)


class OwnerQuery(Schema):
    owner = fields.String(required=True)
    role = fields.String(load_default="owner")


class ClassDecisionIn(Schema):
    column = fields.String(required=True)
    pii_class = fields.String(required=True)
    decision = fields.String(required=True, validate=validate.OneOf(["confirm", "reject"]))
    note = fields.String(load_default=None, allow_none=True)


class ClassQuery(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(["suggested", "confirmed", "rejected"]))


class RuleIn(Schema):
    name = fields.String(required=True)
    pii_class = fields.String(required=True)
    description = fields.String(load_default="")
    column_pattern = fields.String(load_default=None, allow_none=True)
    value_pattern = fields.String(load_default=None, allow_none=True)
    min_match_share = fields.Float(load_default=0.6)
    confidence = fields.Float(load_default=0.8)
    validator = fields.String(load_default=None, allow_none=True)


class RuleOut(Schema):
    name = fields.String()
    pii_class = fields.String()
    description = fields.String()
    column_pattern = fields.String(allow_none=True)
    value_pattern = fields.String(allow_none=True)
    min_match_share = fields.Float()
    confidence = fields.Float()
    validator = fields.String(allow_none=True)
    builtin = fields.Boolean()
    enabled = fields.Boolean()


class ReclassifyIn(Schema):
    dataset_ids = fields.List(fields.String(), load_default=None, allow_none=True)


class CountOut(Schema):
    count = fields.Integer()


class SourceIn(Schema):
    name = fields.String(required=True, metadata={"description": "Short name, e.g. crm"})
    url = fields.String(required=True, metadata={"description": "SQLAlchemy URL (SQLite file or PostgreSQL)"})
    password_env = fields.String(load_default=None, allow_none=True)
    description = fields.String(load_default=None, allow_none=True)
    owner = fields.String(load_default=None, allow_none=True)
    schemas = fields.List(fields.String(), load_default=list)
    sample_rows = fields.Integer(load_default=100)
    scan_interval_seconds = fields.Integer(load_default=None, allow_none=True)
    expected_update_seconds = fields.Integer(load_default=None, allow_none=True)


class SourceOut(Schema):
    id = fields.String()
    name = fields.String()
    url = fields.String(metadata={"description": "Password masked"})
    dialect = fields.String()
    namespace = fields.String()
    password_env = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    owner = fields.String(allow_none=True)
    schemas = fields.List(fields.String())
    sample_rows = fields.Integer()
    scan_interval_seconds = fields.Integer(allow_none=True)
    expected_update_seconds = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    created_by = fields.String()
    last_scan_at = fields.DateTime(allow_none=True)


class ScanOut(Schema):
    scan_id = fields.String()
    source = fields.String()
    namespace = fields.String()
    run_id = fields.String()
    tables = fields.Integer()
    added = fields.List(fields.String())
    changed = fields.List(fields.String())
    dropped = fields.List(fields.String())
    unchanged = fields.Integer()
    suggested_classes = fields.Integer()
    started_at = fields.DateTime()
    finished_at = fields.DateTime()


class ScanRecordOut(Schema):
    id = fields.String()
    run_id = fields.String()
    started_at = fields.DateTime()
    finished_at = fields.DateTime()
    tables = fields.Integer()
    added = fields.Integer()
    changed = fields.Integer()
    dropped = fields.Integer()
    unchanged = fields.Integer()
    suggested_classes = fields.Integer()
    details = fields.Dict()
    by = fields.String()


class LinkOut(Schema):
    namespace = fields.String()
    name = fields.String()
    column = fields.String(allow_none=True)
    dataset_id = fields.String(
        allow_none=True, metadata={"description": "Null until the dataset is catalogued"}
    )


class LinkIn(Schema):
    dataset_id = fields.String(load_default=None, allow_none=True)
    namespace = fields.String(load_default=None, allow_none=True)
    name = fields.String(load_default=None, allow_none=True)
    source = fields.String(load_default=None, allow_none=True)
    column = fields.String(load_default="")


class TermIn(Schema):
    name = fields.String(required=True)
    definition = fields.String(required=True)
    owner = fields.String(load_default=None, allow_none=True)
    synonyms = fields.List(fields.String(), load_default=list)
    status = fields.String(load_default="draft", validate=validate.OneOf(["draft", "approved", "deprecated"]))


class TermPatch(Schema):
    definition = fields.String(load_default=None, allow_none=True)
    owner = fields.String(load_default=None, allow_none=True)
    synonyms = fields.List(fields.String(), load_default=None, allow_none=True)
    status = fields.String(load_default=None, validate=validate.OneOf(["draft", "approved", "deprecated"]))


class TermOut(Schema):
    id = fields.String()
    name = fields.String()
    definition = fields.String()
    owner = fields.String(allow_none=True)
    synonyms = fields.List(fields.String())
    status = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    links = fields.List(fields.Nested(LinkOut))


class MetricIn(Schema):
    key = fields.String(required=True)
    name = fields.String(required=True)
    definition = fields.String(required=True)
    formula = fields.String(required=True)
    unit = fields.String(load_default=None, allow_none=True)
    grain = fields.String(load_default=None, allow_none=True)
    owner = fields.String(load_default=None, allow_none=True)
    term = fields.String(load_default=None, allow_none=True)


class MetricOut(Schema):
    id = fields.String()
    key = fields.String()
    name = fields.String()
    definition = fields.String()
    formula = fields.String()
    unit = fields.String(allow_none=True)
    grain = fields.String(allow_none=True)
    owner = fields.String(allow_none=True)
    term = fields.String(allow_none=True)
    pack = fields.String(allow_none=True)
    certification = fields.String()
    certified_by = fields.String(allow_none=True)
    certified_at = fields.DateTime(allow_none=True)
    certification_note = fields.String(allow_none=True)
    certification_expires_at = fields.DateTime(allow_none=True)
    links = fields.List(fields.Nested(LinkOut))


class PackOut(Schema):
    pack = fields.String()
    terms_created = fields.Integer()
    terms_updated = fields.Integer()
    metrics_created = fields.Integer()
    metrics_updated = fields.Integer()
    links_added = fields.Integer()
    certified = fields.Integer()


class UsageEventIn(Schema):
    namespace = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(load_default="query", validate=validate.OneOf(["view", "query"]))
    count = fields.Integer(load_default=1)
    reader = fields.String(load_default=None, allow_none=True)
    at = fields.DateTime(load_default=None, allow_none=True)


class UsageIn(Schema):
    events = fields.List(
        fields.Nested(UsageEventIn), required=True, validate=validate.Length(min=1, max=10_000)
    )


class DbtIn(Schema):
    manifest = fields.Dict(required=True, metadata={"description": "dbt target/manifest.json"})
    catalog = fields.Dict(
        load_default=None, allow_none=True, metadata={"description": "dbt target/catalog.json"}
    )
    namespace = fields.String(
        load_default=None, allow_none=True, metadata={"description": "Warehouse namespace"}
    )


class DependencyOut(Schema):
    upstream_namespace = fields.String()
    upstream_name = fields.String()
    downstream_namespace = fields.String()
    downstream_name = fields.String()
    node = fields.String()


class DbtOut(Schema):
    project = fields.String()
    namespace = fields.String()
    datasets = fields.Integer()
    created = fields.Integer()
    new_versions = fields.Integer()
    dependencies = fields.List(fields.Nested(DependencyOut))
