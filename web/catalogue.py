"""Catalogue pages: search with facets and instant results, a dataset's page with its lineage graph."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for
from wtforms import IntegerField, StringField
from wtforms.validators import Length, NumberRange, Optional

from api.context import db_session, runtime
from catalog import details, registry, usage, versions
from catalog.search import service as search_service
from catalog.search.documents import FACETS
from core.errors import ConcordError, InvalidInput, NotFound
from core.roles import PII_ROLES, Role
from web import lineage_pictures
from web.auth import login_required
from web.fields import QueryForm, http_error, or_error_page

bp = Blueprint("catalogue", __name__, url_prefix="/catalogue")
READERS = (Role.ANALYST, Role.STEWARD, Role.COMPLIANCE)
PAGE = 20
FACET_LABELS = {
    "source_system": "Source system",
    "classification": "PII class",
    "certification": "Certification",
    "owner": "Owner",
    "tag": "Tag",
}


class SearchForm(QueryForm):
    """The search box and the page of results."""

    q = StringField("Search datasets", validators=[Length(max=500)])
    page = IntegerField("Page", default=1, validators=[Optional(), NumberRange(1, 500)])


class LineageForm(QueryForm):
    """How far the lineage graph reaches (jobs between datasets), and which column's lineage to show."""

    depth = IntegerField("Depth", default=2, validators=[Optional(), NumberRange(1, 5, "depth is 1 to 5")])
    column = StringField("Column", validators=[Length(max=300)])


def _search(form: SearchForm):
    """Run the search the form and facet parameters ask for; errors go next to the search box."""
    chosen = {f: [v for v in request.args.getlist(f) if v] for f in FACETS}
    results = None
    if form.validate():
        page = form.page.data or 1
        try:
            results = search_service.search(
                db_session(),
                q=form.q.data or "",
                filters={f: v for f, v in chosen.items() if v},
                limit=PAGE,
                offset=(page - 1) * PAGE,
                prefix=request.args.get("instant") == "1",
            )
        except InvalidInput as exc:
            form.fail(exc, "q")
    return results, chosen


def _facet_url(chosen: dict[str, list[str]], facet: str, value: str) -> str:
    """The search with `value` of `facet` switched on or off (a link, so it works without scripts)."""
    args = {f: list(v) for f, v in chosen.items()}
    values = args[facet]
    args[facet] = [v for v in values if v != value] if value in values else [*values, value]
    q = request.args.get("q", "")
    return url_for("catalogue.search", q=q or None, **{f: v for f, v in args.items() if v})


@bp.route("")
@login_required(*READERS)
def search():
    """The search page: box, facets, results best first (certified, fresh, much-used)."""
    return _render_search("catalogue/search.html")


@bp.route("/results")
@login_required(*READERS)
def results():
    """The results and facets alone (an HTML fragment), for the search box's instant results."""
    return _render_search("catalogue/_results.html")


def _render_search(template: str):
    """Run the search from the query string and render `template` with it; 422 when the query is refused."""
    form = SearchForm()
    found, chosen = _search(form)
    context = {"form": form, "results": found, "chosen": chosen, "labels": FACET_LABELS}
    return render_template(template, facet_url=_facet_url, **context), 422 if form.errors else 200


@bp.route("/datasets/<dataset_id>")
@login_required(*READERS)
def dataset(dataset_id: str):
    """A dataset: description, owners, certification, freshness, schema and classes, versions, usage, lineage."""
    session = db_session()
    form = LineageForm()
    show_pii = g.user.role in PII_ROLES
    _record_view(dataset_id)
    # End the read snapshot taken when the user was loaded, so the usage shown includes this visit.
    session.rollback()
    detail = or_error_page(details.dataset_detail, session, dataset_id=dataset_id, show_pii=show_pii)
    history = versions.schema_history(session, dataset_id=dataset_id)
    depth = form.depth.data if form.validate() and form.depth.data else 2
    picture = lineage_pictures.dataset_graph(session, detail.dataset.node_id, depth=depth)
    column = None
    if form.column.data and not form.column.errors:
        column = lineage_pictures.column_graph(
            session, detail.dataset, form.column.data, depth=depth, known=[c.name for c in detail.columns]
        )
        if column.error:
            form.column.errors = [column.error]
    return render_template(
        "catalogue/dataset.html",
        d=detail,
        history=history,
        form=form,
        picture=picture,
        column=column,
        depth=depth,
    )


@bp.route("/datasets/<dataset_id>/column-lineage")
@login_required(*READERS)
def column_lineage(dataset_id: str):
    """One column's upstream and downstream columns (an HTML fragment for the dataset page's script)."""
    session = db_session()
    form = LineageForm()
    if not form.validate():
        name, errors = next(iter(form.errors.items()))
        http_error(InvalidInput(errors[0], field=name))
    detail = or_error_page(details.dataset_detail, session, dataset_id=dataset_id)
    column = lineage_pictures.column_graph(
        session,
        detail.dataset,
        form.column.data or "",
        depth=form.depth.data or 2,
        known=[c.name for c in detail.columns],
    )
    status = 404 if column.error else 200
    return render_template("catalogue/_column_lineage.html", d=detail, column=column), status


def _record_view(dataset_id: str) -> None:
    """Count the page view in its own short write transaction (the page itself only reads)."""
    try:
        with runtime().db.session(write=True) as session:
            usage.record_view(session, dataset_id=dataset_id, reader=g.user.actor.label)
    except ConcordError:
        pass  # a view that cannot be counted must not break the page


@bp.route("/open")
@login_required(*READERS)
def open_node():
    """Open a lineage node by namespace and name: the catalogue page of a dataset, else its lineage page."""
    kind = request.args.get("kind", "dataset")
    namespace, name = request.args.get("namespace", ""), request.args.get("name", "")
    if kind == "dataset":
        found = registry.find_dataset(db_session(), namespace=namespace, name=name)
        if found is not None:
            column = request.args.get("column") or None
            anchor = "column-lineage" if column else None
            return redirect(url_for("catalogue.dataset", dataset_id=found.id, column=column, _anchor=anchor))
    node = f"{'job' if kind == 'job' else 'dataset'}:{namespace}:{name}"
    return redirect(url_for("catalogue.lineage", node=node))


@bp.route("/lineage")
@login_required(*READERS)
def lineage():
    """Any lineage node's graph (jobs, and datasets the catalogue does not hold), with a job's runs."""
    form = LineageForm()
    node = request.args.get("node", "")
    depth = form.depth.data if form.validate() and form.depth.data else 2
    session = db_session()
    try:
        page = lineage_pictures.node_page(session, node, depth=depth)
    except (NotFound, InvalidInput) as exc:
        http_error(exc)
    return render_template("catalogue/lineage.html", page=page, form=form, depth=depth, node=node)
