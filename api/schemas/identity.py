"""Schemas for customers, source-record ingestion, crosswalk import and the identity report."""

from marshmallow import Schema, fields, validate

from identity.masking import mask_contact, mask_name

MAX_RECORDS = 10_000


class SourceRecordInSchema(Schema):
    source_system = fields.String(required=True, metadata={"description": "crm, billing, support, ..."})
    source_key = fields.String(required=True, metadata={"description": "Unique within the system"})
    first_name = fields.String(allow_none=True)
    last_name = fields.String(allow_none=True)
    full_name = fields.String(allow_none=True, metadata={"description": "Split when first/last are absent"})
    emails = fields.List(fields.String(), load_default=list)
    phones = fields.List(
        fields.String(), load_default=list, metadata={"description": "Any format; E.164 stored"}
    )
    street = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    postal_code = fields.String(allow_none=True)
    region = fields.String(allow_none=True, metadata={"description": "US state or CA province code"})
    country = fields.String(allow_none=True, metadata={"description": "ISO 3166-1 alpha-2"})
    jurisdiction = fields.String(allow_none=True, metadata={"description": "e.g. DE, GB, US-CA, CA-ON"})
    observed_at = fields.String(allow_none=True, metadata={"description": "ISO 8601 instant at the source"})


class SourceRecordsIn(Schema):
    records = fields.List(
        fields.Nested(SourceRecordInSchema), required=True, validate=validate.Length(min=1, max=MAX_RECORDS)
    )


class RecordCustomerOut(Schema):
    source_system = fields.String()
    source_key = fields.String()
    customer_id = fields.String()


class UpsertOut(Schema):
    inserted = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    stale = fields.Integer(metadata={"description": "Older observations kept in history, not applied"})
    merged = fields.Integer(metadata={"description": "Customer ids merged into an older one"})
    new_customers = fields.Integer()
    customers = fields.List(fields.Nested(RecordCustomerOut))


class CrosswalkRowIn(Schema):
    source_system = fields.String(required=True)
    source_key = fields.String(required=True)
    customer_id = fields.String(required=True)


class CrosswalkIn(Schema):
    rows = fields.List(fields.Nested(CrosswalkRowIn), required=True, validate=validate.Length(min=1))


class CrosswalkOut(Schema):
    rows = fields.Integer()
    assigned = fields.Integer()
    unchanged = fields.Integer()
    pending = fields.Integer(metadata={"description": "Rows whose record has not arrived yet"})
    customers_created = fields.Integer()
    merged = fields.Integer()


class LookupQuery(Schema):
    email = fields.String()
    phone = fields.String()
    source_key = fields.String(metadata={"description": "system:key, e.g. crm:C0001234"})
    customer_id = fields.String()
    region = fields.String(load_default="US", metadata={"description": "Region for national phone numbers"})


class LookupOut(Schema):
    kind = fields.String()
    value = fields.String()
    customers = fields.List(fields.String())


class ContactPointOut(Schema):
    kind = fields.String()
    value = fields.String()
    sources = fields.List(fields.String())
    first_seen_at = fields.DateTime()


class SourceRecordOut(Schema):
    source_system = fields.String()
    source_key = fields.String()
    version = fields.Integer()
    observed_at = fields.DateTime(allow_none=True)
    first_name = fields.String(allow_none=True)
    last_name = fields.String(allow_none=True)
    street = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    postal_code = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    jurisdiction = fields.String(allow_none=True)
    pinned = fields.Boolean(metadata={"description": "Assigned by an imported crosswalk"})


class LinkOut(Schema):
    a = fields.String()
    b = fields.String()
    rule = fields.String()
    kind = fields.String()
    value = fields.String()
    rules_version = fields.String()


class CustomerOut(Schema):
    id = fields.String(metadata={"description": "The surviving id"})
    requested_id = fields.String()
    merged_ids = fields.List(fields.String(), metadata={"description": "Ids that redirect here"})
    first_name = fields.String(allow_none=True)
    last_name = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    jurisdiction = fields.String(allow_none=True)
    jurisdiction_basis = fields.String(
        allow_none=True, metadata={"description": "explicit, country or country_region"}
    )
    jurisdiction_from = fields.String(
        allow_none=True, metadata={"description": "The source record it came from"}
    )
    origin = fields.String()
    created_at = fields.DateTime()
    contact_points = fields.List(fields.Nested(ContactPointOut))
    source_records = fields.List(fields.Nested(SourceRecordOut))
    links = fields.List(fields.Nested(LinkOut), metadata={"description": "Why the records are one customer"})


class MaskedContactPointOut(Schema):
    kind = fields.String()
    value = fields.Function(lambda cp: mask_contact(cp.kind, cp.value))
    sources = fields.List(fields.String())
    first_seen_at = fields.DateTime()


class MaskedSourceRecordOut(Schema):
    source_system = fields.String()
    source_key = fields.String()
    version = fields.Integer()
    observed_at = fields.DateTime(allow_none=True)
    country = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    pinned = fields.Boolean()


class MaskedLinkOut(Schema):
    a = fields.String()
    b = fields.String()
    rule = fields.String()
    kind = fields.String()
    value = fields.Function(lambda link: mask_contact(link.kind, link.value))


class MaskedCustomerOut(Schema):
    """What an analyst sees: no raw personal data (initials, masked emails and phones, no addresses)."""

    id = fields.String()
    requested_id = fields.String()
    merged_ids = fields.List(fields.String())
    first_name = fields.Function(lambda c: mask_name(c.first_name))
    last_name = fields.Function(lambda c: mask_name(c.last_name))
    country = fields.String(allow_none=True)
    jurisdiction = fields.String(allow_none=True)
    jurisdiction_basis = fields.String(allow_none=True)
    origin = fields.String()
    created_at = fields.DateTime()
    contact_points = fields.Function(
        lambda c: MaskedContactPointOut(many=True).dump(
            [cp for cp in c.contact_points if cp.kind != "postal"]
        )
    )
    source_records = fields.List(fields.Nested(MaskedSourceRecordOut))
    links = fields.Function(lambda c: MaskedLinkOut(many=True).dump(c.links))


class ExplainQuery(Schema):
    a = fields.String(required=True, metadata={"description": "A source record, system:key"})
    b = fields.String(required=True, metadata={"description": "Another source record, system:key"})


class ExplainOut(Schema):
    a = fields.String()
    b = fields.String()
    same_customer = fields.Boolean()
    customer_id = fields.String(allow_none=True)
    path = fields.List(fields.Nested(LinkOut), metadata={"description": "The chain of links from a to b"})


class QualityOut(Schema):
    precision = fields.Float()
    recall = fields.Float()
    f1 = fields.Float()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class IdentityReportOut(Schema):
    customers = fields.Integer()
    source_records = fields.Integer()
    records_per_system = fields.Dict(keys=fields.String(), values=fields.Integer())
    duplicates_merged = fields.Integer(
        metadata={"description": "Source records folded into another's customer"}
    )
    merged_ids = fields.Integer(metadata={"description": "Customer ids that redirect to a survivor"})
    links_per_rule = fields.Dict(keys=fields.String(), values=fields.Integer())
    rules_version = fields.String()
    crosswalk_rows = fields.Integer()
    jurisdictions = fields.Dict(keys=fields.String(), values=fields.Integer())
