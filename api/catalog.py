"""The catalogue API: search, datasets, schema history, curation, certification and classification."""

from __future__ import annotations

from flask_smorest import Blueprint

from api.auth import current_actor, current_principal, require_roles
from api.context import db_session
from api.schemas.catalog import (
    ClassOut,
    CompareOut,
    CompareQuery,
    DatasetDetailOut,
    DatasetIn,
    DatasetListQuery,
    DatasetOut,
    DatasetPageOut,
    DatasetPatch,
    FreshnessOut,
    LookupQuery,
    OwnerIn,
    OwnerOut,
    RegisteredOut,
    SchemaVersionOut,
    SearchOut,
    SearchQuery,
    SuggestionOut,
    SuggestQuery,
)
from api.schemas.catalog_governance import (
    CertificationEventOut,
    CertifyIn,
    ClassDecisionIn,
    ClassQuery,
    ColumnDescriptionIn,
    DeprecateIn,
    DraftIn,
    FreshnessIn,
    OwnerQuery,
    TagsIn,
    TagsOut,
)
from catalog import certification, curation, details, freshness, registry, usage, versions
from catalog.classification import service as classification
from catalog.results import ColumnSpec
from catalog.search import service as search_service
from core.errors import NotFound
from core.roles import PII_ROLES, Role

blp = Blueprint("catalog", __name__, url_prefix="/api/v1/catalog", description="The data catalogue")

READERS = (Role.ANALYST, Role.STEWARD, Role.COMPLIANCE)
FACET_ARGS = ("source_system", "classification", "certification", "owner", "tag")


@blp.route("/search")
@blp.arguments(SearchQuery, location="query")
@blp.response(200, SearchOut)
@require_roles(*READERS)
def search(query):
    """Full-text search over names, descriptions, columns, tags, glossary terms and owners, with facets.

    Repeat a facet parameter to allow several values (`tag=a&tag=b`); different facets must all match.
    """
    return search_service.search(
        db_session(),
        q=query["q"],
        filters={f: query[f] for f in FACET_ARGS if query[f]},
        include_dropped=query["include_dropped"],
        limit=query["limit"],
        offset=query["offset"],
        with_facets=query["facets"],
        prefix=query["prefix"],
    )


@blp.route("/suggest")
@blp.arguments(SuggestQuery, location="query")
@blp.response(200, SuggestionOut(many=True))
@require_roles(*READERS)
def suggest(query):
    """Completions and typo corrections for the last word typed in the search box."""
    return search_service.suggest(db_session(), q=query["q"], limit=query["limit"])


@blp.route("/datasets")
@blp.arguments(DatasetListQuery, location="query")
@blp.response(200, DatasetPageOut)
@require_roles(*READERS)
def list_datasets(query):
    """Datasets by namespace, source system and status."""
    total, rows = details.list_datasets(
        db_session(),
        namespace=query["namespace"],
        source_system=query["source_system"],
        status=None if query["status"] == "all" else query["status"],
        limit=query["limit"],
        offset=query["offset"],
    )
    return {"total": total, "datasets": rows}


@blp.route("/datasets", methods=["POST"])
@blp.arguments(DatasetIn)
@blp.response(201, RegisteredOut)
@require_roles(Role.STEWARD)
def register(body):
    """Register (or update) a dataset by hand; a changed column list makes a new schema version."""
    columns = body["columns"]
    return registry.register_dataset(
        db_session(),
        namespace=body["namespace"],
        name=body["name"],
        columns=[ColumnSpec(**c) for c in columns] if columns is not None else None,
        description=body["description"],
        display_name=body["display_name"],
        source_system=body["source_system"],
        kind=body["kind"],
        owners=[(o["owner"], o["role"]) for o in body["owners"]],
        origin="manual",
        actor=current_actor(),
    )


@blp.route("/datasets/lookup")
@blp.arguments(LookupQuery, location="query")
@blp.response(200, DatasetOut)
@require_roles(*READERS)
def lookup(query):
    """The dataset named (namespace, name) the OpenLineage way, following aliases."""
    found = registry.find_dataset(db_session(), namespace=query["namespace"], name=query["name"])
    if found is None:
        raise NotFound(f"no dataset {query['namespace']}:{query['name']}", field="name")
    return found


@blp.route("/datasets/<dataset_id>")
@blp.response(200, DatasetDetailOut)
@require_roles(*READERS)
def dataset(dataset_id: str):
    """Everything about a dataset; sample values of PII columns are masked unless your role may see PII."""
    show = current_principal().role in PII_ROLES
    return details.dataset_detail(db_session(), dataset_id=dataset_id, show_pii=show)


@blp.route("/datasets/<dataset_id>", methods=["PATCH"])
@blp.arguments(DatasetPatch)
@blp.response(200, DatasetOut)
@require_roles(Role.STEWARD)
def update(body, dataset_id: str):
    """Change the description or display name (a steward's description is never overwritten by scans)."""
    return curation.update_dataset(db_session(), dataset_id=dataset_id, actor=current_actor(), **body)


@blp.route("/datasets/<dataset_id>/views", methods=["POST"])
@blp.response(204)
@require_roles(*READERS)
def view(dataset_id: str):
    """Record that you looked at the dataset (feeds popularity)."""
    usage.record_view(db_session(), dataset_id=dataset_id, reader=current_actor().label)


@blp.route("/datasets/<dataset_id>/versions")
@blp.response(200, SchemaVersionOut(many=True))
@require_roles(*READERS)
def schema_history(dataset_id: str):
    """Every schema version, newest first, with what changed."""
    return versions.schema_history(db_session(), dataset_id=dataset_id)


@blp.route("/datasets/<dataset_id>/versions/compare")
@blp.arguments(CompareQuery, location="query")
@blp.response(200, CompareOut)
@require_roles(*READERS)
def compare(query, dataset_id: str):
    """The differences between two schema versions (`?from=1&to=3`)."""
    return versions.compare_versions(db_session(), dataset_id=dataset_id, **query)


@blp.route("/datasets/<dataset_id>/columns/<column>/description", methods=["PUT"])
@blp.arguments(ColumnDescriptionIn)
@blp.response(204)
@require_roles(Role.STEWARD)
def column_description(body, dataset_id: str, column: str):
    """Describe a column."""
    curation.set_column_description(
        db_session(),
        dataset_id=dataset_id,
        column=column,
        description=body["description"],
        actor=current_actor(),
    )


@blp.route("/datasets/<dataset_id>/owners", methods=["POST"])
@blp.arguments(OwnerIn)
@blp.response(200, OwnerOut(many=True))
@require_roles(Role.STEWARD)
def add_owner(body, dataset_id: str):
    """Add an owner (`user:ada` or `team:crm`) in a role."""
    return curation.add_owner(db_session(), dataset_id=dataset_id, actor=current_actor(), **body)


@blp.route("/datasets/<dataset_id>/owners", methods=["DELETE"])
@blp.arguments(OwnerQuery, location="query")
@blp.response(200, OwnerOut(many=True))
@require_roles(Role.STEWARD)
def remove_owner(query, dataset_id: str):
    """Remove an owner in a role (`?owner=team:crm&role=owner`)."""
    return curation.remove_owner(db_session(), dataset_id=dataset_id, actor=current_actor(), **query)


@blp.route("/datasets/<dataset_id>/tags", methods=["PUT"])
@blp.arguments(TagsIn)
@blp.response(200, TagsOut)
@require_roles(Role.STEWARD)
def tags(body, dataset_id: str):
    """Replace the dataset's tags."""
    return {
        "tags": curation.set_tags(
            db_session(), dataset_id=dataset_id, tags=body["tags"], actor=current_actor()
        )
    }


@blp.route("/datasets/<dataset_id>/freshness", methods=["PUT"])
@blp.arguments(FreshnessIn)
@blp.response(200, FreshnessOut)
@require_roles(Role.STEWARD)
def set_freshness(body, dataset_id: str):
    """Set how often the dataset should be written (null: no expectation)."""
    return freshness.set_expected_interval(
        db_session(), dataset_id=dataset_id, seconds=body["expected_update_seconds"], actor=current_actor()
    )


@blp.route("/datasets/<dataset_id>/certify", methods=["POST"])
@blp.arguments(CertifyIn)
@blp.response(200, DatasetOut)
@require_roles(Role.STEWARD)
def certify(body, dataset_id: str):
    """Certify the dataset (stewards only), with a note and an expiry (default a year)."""
    return certification.certify(db_session(), dataset_id=dataset_id, actor=current_actor(), **body)


@blp.route("/datasets/<dataset_id>/deprecate", methods=["POST"])
@blp.arguments(DeprecateIn)
@blp.response(200, DatasetOut)
@require_roles(Role.STEWARD)
def deprecate(body, dataset_id: str):
    """Deprecate the dataset, pointing to its replacement."""
    return certification.deprecate(db_session(), dataset_id=dataset_id, actor=current_actor(), **body)


@blp.route("/datasets/<dataset_id>/draft", methods=["POST"])
@blp.arguments(DraftIn)
@blp.response(200, DatasetOut)
@require_roles(Role.STEWARD)
def draft(body, dataset_id: str):
    """Withdraw a certification or deprecation."""
    return certification.revert_to_draft(db_session(), dataset_id=dataset_id, actor=current_actor(), **body)


@blp.route("/datasets/<dataset_id>/certification")
@blp.response(200, CertificationEventOut(many=True))
@require_roles(*READERS)
def certification_history(dataset_id: str):
    """Every certification change, newest first."""
    return certification.certification_history(db_session(), subject_id=dataset_id)


@blp.route("/datasets/<dataset_id>/classes")
@blp.arguments(ClassQuery, location="query")
@blp.response(200, ClassOut(many=True))
@require_roles(*READERS)
def classes(query, dataset_id: str):
    """PII classes on the dataset's columns (suggested, confirmed, rejected)."""
    return classification.column_classes(db_session(), dataset_id=dataset_id, status=query["status"])


@blp.route("/datasets/<dataset_id>/classes", methods=["POST"])
@blp.arguments(ClassDecisionIn)
@blp.response(200, ClassOut)
@require_roles(Role.STEWARD)
def decide(body, dataset_id: str):
    """Confirm or reject a class on a column; a rejected class is never suggested there again."""
    return classification.decide(db_session(), dataset_id=dataset_id, actor=current_actor(), **body)
