"""The identity package's public service functions (the contract other packages build against)."""

from identity.attach import add_contact_point, ensure_customer, rebuild
from identity.crosswalk import import_crosswalk, parse_crosswalk_csv
from identity.customers import contact_points, customers_sharing, explain, get_customer
from identity.domain import (
    ContactPoint,
    CrosswalkResult,
    Customer,
    Explanation,
    Link,
    RebuildResult,
    Rejected,
    SourceRecordIn,
    SourceRecordSummary,
    UpsertResult,
)
from identity.ingest import upsert_source_records
from identity.lookup import (
    Candidate,
    Lookup,
    active_customers_query,
    find_customers,
    jurisdictions_of,
    recognise,
)
from identity.resolve import resolve, resolve_many

__all__ = [
    "Candidate",
    "ContactPoint",
    "CrosswalkResult",
    "Customer",
    "Explanation",
    "Link",
    "Lookup",
    "RebuildResult",
    "Rejected",
    "SourceRecordIn",
    "SourceRecordSummary",
    "UpsertResult",
    "active_customers_query",
    "add_contact_point",
    "contact_points",
    "customers_sharing",
    "ensure_customer",
    "explain",
    "find_customers",
    "get_customer",
    "import_crosswalk",
    "jurisdictions_of",
    "parse_crosswalk_csv",
    "rebuild",
    "recognise",
    "resolve",
    "resolve_many",
    "upsert_source_records",
]
