"""The catalogue API for stewards: sources and scans, rules, glossary, metrics, usage and imports."""

from __future__ import annotations

from flask_smorest import Blueprint

from api.auth import current_actor, require_roles
from api.context import db_session, runtime
from api.schemas.catalog_governance import (
    CertifyIn,
    CountOut,
    DbtIn,
    DbtOut,
    LinkIn,
    MetricIn,
    MetricOut,
    NoteIn,
    PackOut,
    ReclassifyIn,
    RuleIn,
    RuleOut,
    ScanOut,
    ScanRecordOut,
    SourceIn,
    SourceOut,
    TermIn,
    TermOut,
    TermPatch,
    UsageIn,
)
from catalog import dbt, glossary, metrics, scanner, sources, usage
from catalog.classification import service as classification
from catalog.classification.rules import Rule
from catalog.search import index
from core.roles import Role

blp = Blueprint(
    "catalog_governance",
    __name__,
    url_prefix="/api/v1/catalog",
    description="Catalogue sources, rules, glossary and metrics",
)

READERS = (Role.ANALYST, Role.STEWARD, Role.COMPLIANCE)


@blp.route("/sources")
@blp.response(200, SourceOut(many=True))
@require_roles(Role.STEWARD)
def list_sources():
    """Registered source systems (passwords masked)."""
    return sources.list_sources(db_session())


@blp.route("/sources", methods=["POST"])
@blp.arguments(SourceIn)
@blp.response(201, SourceOut)
@require_roles(Role.STEWARD)
def add_source(body):
    """Register a source system by SQLAlchemy URL; prefer `password_env` to an inline password."""
    return sources.register_source(db_session(), actor=current_actor(), **body)


@blp.route("/sources/<name>/scan", methods=["POST"])
@blp.response(200, ScanOut)
@require_roles(Role.STEWARD)
def scan(name: str):
    """Scan the source now: all or nothing; 503 naming the problem when it cannot be read."""
    return scanner.scan_source(db_session(), name=name, actor=current_actor(), emitter=runtime().emitter)


@blp.route("/sources/<name>/scans")
@blp.response(200, ScanRecordOut(many=True))
@require_roles(Role.STEWARD)
def scans(name: str):
    """The source's completed scans, newest first."""
    return scanner.scan_history(db_session(), name=name)


@blp.route("/rules")
@blp.response(200, RuleOut(many=True))
@require_roles(*READERS)
def rules():
    """Built-in and custom classification rules."""
    return classification.list_rules(db_session())


@blp.route("/rules", methods=["POST"])
@blp.arguments(RuleIn)
@blp.response(201, RuleOut)
@require_roles(Role.STEWARD)
def add_rule(body):
    """Add a custom rule; an invalid pattern is rejected naming the rule and the field."""
    return classification.add_rule(db_session(), rule=Rule(**body), actor=current_actor())


@blp.route("/reclassify", methods=["POST"])
@blp.arguments(ReclassifyIn)
@blp.response(200, CountOut)
@require_roles(Role.STEWARD)
def reclassify(body):
    """Re-apply the current rules to stored samples (after adding a rule); returns new suggestions."""
    return {
        "count": classification.reclassify(
            db_session(), dataset_ids=body["dataset_ids"], actor=current_actor()
        )
    }


@blp.route("/glossary")
@blp.response(200, TermOut(many=True))
@require_roles(*READERS)
def terms():
    """The business glossary."""
    return glossary.list_terms(db_session())


@blp.route("/glossary", methods=["POST"])
@blp.arguments(TermIn)
@blp.response(201, TermOut)
@require_roles(Role.STEWARD)
def add_term(body):
    """Add a glossary term."""
    return glossary.create_term(db_session(), actor=current_actor(), **body)


@blp.route("/glossary/<term>")
@blp.response(200, TermOut)
@require_roles(*READERS)
def term(term: str):
    """A term (by id or name) with its linked datasets and columns."""
    return glossary.get_term(db_session(), term=term)


@blp.route("/glossary/<term>", methods=["PATCH"])
@blp.arguments(TermPatch)
@blp.response(200, TermOut)
@require_roles(Role.STEWARD)
def update_term(body, term: str):
    """Change a term's definition, owner, synonyms or status."""
    return glossary.update_term(db_session(), term=term, actor=current_actor(), **body)


@blp.route("/glossary/<term>/links", methods=["POST"])
@blp.arguments(LinkIn)
@blp.response(200, TermOut)
@require_roles(Role.STEWARD)
def link_term(body, term: str):
    """Link a term to a dataset (by id, namespace + name, or source + name) and optionally a column."""
    return glossary.link_term(db_session(), term=term, actor=current_actor(), **body)


@blp.route("/metrics")
@blp.response(200, MetricOut(many=True))
@require_roles(*READERS)
def list_metrics():
    """Business metrics with their certification."""
    return metrics.list_metrics(db_session())


@blp.route("/metrics", methods=["POST"])
@blp.arguments(MetricIn)
@blp.response(200, MetricOut)
@require_roles(Role.STEWARD)
def put_metric(body):
    """Create or update a metric definition (by key)."""
    return metrics.upsert_metric(db_session(), actor=current_actor(), **body)[0]


@blp.route("/metrics/<key>")
@blp.response(200, MetricOut)
@require_roles(*READERS)
def metric(key: str):
    """A metric with its formula, certification and linked datasets."""
    return metrics.get_metric(db_session(), key=key)


@blp.route("/metrics/<key>/certify", methods=["POST"])
@blp.arguments(CertifyIn)
@blp.response(200, MetricOut)
@require_roles(Role.STEWARD)
def certify_metric(body, key: str):
    """Certify a metric definition."""
    return metrics.certify_metric(db_session(), key=key, actor=current_actor(), **body)


@blp.route("/metrics/<key>/deprecate", methods=["POST"])
@blp.arguments(NoteIn)
@blp.response(200, MetricOut)
@require_roles(Role.STEWARD)
def deprecate_metric(body, key: str):
    """Deprecate a metric definition."""
    return metrics.deprecate_metric(db_session(), key=key, actor=current_actor(), **body)


@blp.route("/metric-packs/<pack>", methods=["POST"])
@blp.response(200, PackOut)
@require_roles(Role.STEWARD)
def load_pack(pack: str):
    """Load a shipped metric pack (e.g. customer360): terms, metrics, links; idempotent."""
    return metrics.load_metric_pack(db_session(), pack=pack, actor=current_actor())


@blp.route("/usage", methods=["POST"])
@blp.arguments(UsageIn)
@blp.response(200, CountOut)
@require_roles(Role.STEWARD, Role.INGEST)
def add_usage(body):
    """Add query counts or views from a query log (all or nothing; errors name the event)."""
    events = [usage.UsageEvent(**e) for e in body["events"]]
    return {"count": usage.record_usage(db_session(), events=events, actor=current_actor())}


@blp.route("/dbt", methods=["POST"])
@blp.arguments(DbtIn)
@blp.response(200, DbtOut)
@require_roles(Role.STEWARD)
def import_dbt(body):
    """Import a dbt project's manifest.json (and catalog.json); returns model-to-model dependencies."""
    return dbt.import_dbt(db_session(), actor=current_actor(), **body)


@blp.route("/search-index/rebuild", methods=["POST"])
@blp.response(200, CountOut)
@require_roles(Role.ADMIN)
def rebuild_index():
    """Rebuild the search index from the catalogue (it is derived data)."""
    return {"count": index.rebuild_index(db_session(), actor=current_actor())}
