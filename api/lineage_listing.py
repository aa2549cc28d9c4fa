"""Marquez-style listings of what lineage events described: namespaces, sources, datasets, jobs, runs.

Namespaces usually contain `://` (`postgres://db:5432`, `gs://bucket`): put them in the path as they
are or percent-encoded; these routes keep double slashes.
"""

from __future__ import annotations

from flask_smorest import Blueprint
from werkzeug.routing import PathConverter

import lineage
from api.auth import require_roles
from api.context import db_session
from api.lineage import READERS
from api.schemas.lineage import (
    LineageDatasetOut,
    LineageDatasetsOut,
    LineageJobOut,
    LineageJobsOut,
    LineageNamespacesOut,
    LineagePageQuery,
    LineageRunOut,
    LineageRunsOut,
    LineageSourcesOut,
    LineageVersionsOut,
)

blp = Blueprint(
    "lineage_listing",
    __name__,
    url_prefix="/api/v1",
    description="Namespaces, datasets, jobs and runs seen in lineage",
)
KEEP_SLASHES = {"merge_slashes": False}


class NameConverter(PathConverter):
    """Like `path`, but a name may start with `/` (HDFS and file paths as dataset names)."""

    regex = ".+?"
    part_isolating = False  # werkzeug infers this from a "/" in the regex; there is none, but it spans parts


# Recorded before the routes below, so the app knows the converter when it adds them.
blp.record_once(lambda state: state.app.url_map.converters.setdefault("name", NameConverter))


@blp.route("/namespaces")
@blp.arguments(LineagePageQuery, location="query")
@blp.response(200, LineageNamespacesOut)
@require_roles(*READERS)
def list_namespaces(query):
    """Namespaces seen on jobs and datasets."""
    return lineage.list_namespaces(db_session(), **query)


@blp.route("/sources")
@blp.arguments(LineagePageQuery, location="query")
@blp.response(200, LineageSourcesOut)
@require_roles(*READERS)
def list_sources(query):
    """Data sources named by `dataSource` facets."""
    return lineage.list_sources(db_session(), **query)


@blp.route("/namespaces/<name:namespace>/datasets", **KEEP_SLASHES)
@blp.arguments(LineagePageQuery, location="query")
@blp.response(200, LineageDatasetsOut)
@require_roles(*READERS)
def list_datasets(query, namespace: str):
    """Datasets of a namespace."""
    return lineage.list_datasets(db_session(), namespace=namespace, **query)


@blp.route("/namespaces/<name:namespace>/datasets/<name:name>", **KEEP_SLASHES)
@blp.response(200, LineageDatasetOut)
@require_roles(*READERS)
def get_dataset(namespace: str, name: str):
    """One dataset, by its name or any alias, with facets and aliases."""
    return lineage.get_dataset(db_session(), namespace=namespace, name=name)


@blp.route("/namespaces/<name:namespace>/datasets/<name:name>/versions", **KEEP_SLASHES)
@blp.arguments(LineagePageQuery, location="query")
@blp.response(200, LineageVersionsOut)
@require_roles(*READERS)
def list_versions(query, namespace: str, name: str):
    """A dataset's versions (one per run that wrote it), newest first."""
    return lineage.list_dataset_versions(db_session(), namespace=namespace, name=name, **query)


@blp.route("/jobs")
@blp.arguments(LineagePageQuery, location="query")
@blp.response(200, LineageJobsOut)
@require_roles(*READERS)
def list_all_jobs(query):
    """Every job, with parent, children, inputs, outputs and latest run."""
    return lineage.list_jobs(db_session(), **query)


@blp.route("/namespaces/<name:namespace>/jobs", **KEEP_SLASHES)
@blp.arguments(LineagePageQuery, location="query")
@blp.response(200, LineageJobsOut)
@require_roles(*READERS)
def list_jobs(query, namespace: str):
    """Jobs of a namespace."""
    return lineage.list_jobs(db_session(), namespace=namespace, **query)


@blp.route("/namespaces/<name:namespace>/jobs/<name:name>", **KEEP_SLASHES)
@blp.response(200, LineageJobOut)
@require_roles(*READERS)
def get_job(namespace: str, name: str):
    """One job with its children and latest run."""
    return lineage.get_job(db_session(), namespace=namespace, name=name)


@blp.route("/namespaces/<name:namespace>/jobs/<name:name>/runs", **KEEP_SLASHES)
@blp.arguments(LineagePageQuery, location="query")
@blp.response(200, LineageRunsOut)
@require_roles(*READERS)
def list_runs(query, namespace: str, name: str):
    """A job's runs, newest first, with state history and durations."""
    return lineage.list_runs(db_session(), namespace=namespace, job=name, **query)


@blp.route("/jobs/runs/<run_id>")
@blp.response(200, LineageRunOut)
@require_roles(*READERS)
def get_run(run_id: str):
    """One run with its job, state history and facets."""
    return lineage.get_run(db_session(), run_id=run_id)
