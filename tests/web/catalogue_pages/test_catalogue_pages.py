"""Catalogue pages through the Flask client: search, facets, escaping, the dataset page and its lineage picture."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlalchemy as sa

from catalog import curation, details, freshness
from core.audit import Actor

STEWARD = Actor(name="sam", role="steward", kind="user")


def test_search_lists_datasets_with_facets_and_filters_by_one(analyst, seeded):
    page = analyst.get("/catalogue?q=contacts").get_data(as_text=True)
    assert 'href="/catalogue/datasets/' + seeded.contacts + '"' in page
    assert 'id="facet-source_system"' in page and 'id="facet-classification"' in page
    filtered = analyst.get("/catalogue?q=email&source_system=billing")
    assert filtered.status_code == 200
    html = filtered.get_data(as_text=True)
    names = re.findall(r'class="hit-name" href="/catalogue/datasets/([^"]+)"', html)
    assert names and seeded.contacts not in names  # crm's contacts is filtered out
    assert 'name="source_system" value="billing" checked' in html


def test_instant_results_fragment_is_only_the_results(analyst, seeded):
    response = analyst.get("/catalogue/results?q=cont&instant=1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and 'class="hit-list"' in html
    assert seeded.contacts in html


def test_search_text_is_escaped_and_never_errors(analyst, seeded):
    nasty = '<script>alert("x")</script> "NEAR OR* -:'
    response = analyst.get("/catalogue", query_string={"q": nasty})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_a_description_with_markup_is_shown_as_text(analyst, seeded, runtime):
    with runtime.db.session(write=True) as session:
        curation.update_dataset(
            session, dataset_id=seeded.contacts, description="<img src=x onerror=alert(1)>", actor=STEWARD
        )
    html = analyst.get(f"/catalogue/datasets/{seeded.contacts}").get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_dataset_page_draws_the_lineage_graph_with_linked_nodes(analyst, seeded):
    html = analyst.get(f"/catalogue/datasets/{seeded.dim_customer}").get_data(as_text=True)
    assert '<svg class="lineage fit"' in html
    nodes = re.findall(r'class="lineage-node (\w+) (\w+)" data-node-id="([^"]+)"', html)
    sides = {(kind, side) for kind, side, _ in nodes}
    assert ("dataset", "centre") in sides
    assert ("job", "upstream") in sides and ("job", "downstream") in sides
    assert ("dataset", "upstream") in sides and ("dataset", "downstream") in sides
    assert "/catalogue/lineage?node=job" in html  # job nodes open their own page
    # The schema lists the columns with their PII classes (propagated along column lineage).
    assert 'data-column="email"' in html


def test_depth_one_reaches_one_job_each_way(analyst, seeded):
    html = analyst.get(f"/catalogue/datasets/{seeded.contacts}?depth=1").get_data(as_text=True)
    nodes = re.findall(r'class="lineage-node (\w+) (\w+)"', html)
    assert ("job", "downstream") in nodes and ("dataset", "downstream") in nodes
    assert not any(n.endswith("newsletter_audience") for n in re.findall(r'data-node-id="([^"]+)"', html))
    deeper = analyst.get(f"/catalogue/datasets/{seeded.contacts}?depth=2").get_data(as_text=True)
    assert "newsletter_audience" in deeper


def test_column_lineage_fragment_lists_upstream_and_downstream_columns(analyst, seeded):
    response = analyst.get(f"/catalogue/datasets/{seeded.dim_customer}/column-lineage?column=email&depth=2")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    upstream = html.split('class="plain cl-upstream"')[1].split("</ul>")[0]
    downstream = html.split('class="plain cl-downstream"')[1].split("</ul>")[0]
    assert "contacts.email" in upstream
    assert "newsletter_audience.email" in downstream
    assert "first_name" not in upstream


def test_unknown_column_says_so_next_to_the_schema(analyst, seeded):
    response = analyst.get(f"/catalogue/datasets/{seeded.dim_customer}/column-lineage?column=nope")
    assert response.status_code == 404
    assert "has no column &#39;nope&#39;" in response.get_data(as_text=True)


def test_opening_a_dataset_counts_a_view(analyst, seeded, runtime):
    analyst.get(f"/catalogue/datasets/{seeded.audience}")
    second = analyst.get(f"/catalogue/datasets/{seeded.audience}").get_data(as_text=True)
    assert '<span class="big">2</span> views' in second  # the page counts its own visit
    with runtime.db.engine.connect() as conn:
        views = conn.execute(
            sa.text("SELECT SUM(views) FROM catalog_usage_daily WHERE dataset_id = :d"),
            {"d": seeded.audience},
        ).scalar()
    assert views == 2


def test_job_page_shows_what_it_reads_and_writes(analyst, seeded):
    response = analyst.get("/catalogue/lineage?node=job:warehouse:warehouse.build_dim_customer")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Reads" in html and ">contacts<" in html and "dim_customer" in html
    assert analyst.get("/catalogue/lineage?node=job:warehouse:nope").status_code == 404


def test_marketing_cannot_open_the_catalogue(signed_in, seeded):
    marketing = signed_in("marketing")
    assert marketing.get("/catalogue").status_code == 403
    assert marketing.get(f"/catalogue/datasets/{seeded.contacts}").status_code == 403
    assert marketing.get("/glossary").status_code == 403


def test_dashboard_panel_counts_stale_and_fresh_datasets_per_source(analyst, seeded, runtime):
    with runtime.db.session(write=True) as session:
        flagged = freshness.flag_stale_datasets(session, now=datetime(2100, 1, 1, tzinfo=UTC))
    assert flagged
    html = analyst.get("/dashboard").get_data(as_text=True)
    panel = html.split('id="panel-stale_datasets"')[1].split("</section>")[0]
    assert "<svg" in panel and "crm stale" in panel
    rows = dict(re.findall(r'<tr><th scope="row">(\w+)</th><td>(\d+)</td>', panel))
    assert int(rows["crm"]) == 2  # both CRM tables are overdue in 2100
    assert f'/catalogue/datasets/{seeded.contacts}"' in panel


def test_samples_of_pii_columns_are_masked_except_for_compliance(analyst, signed_in, seeded, runtime):
    with runtime.db.session() as session:
        sample = next(
            c.sample
            for c in details.dataset_detail(session, dataset_id=seeded.contacts, show_pii=True).columns
            if c.name == "email"
        )
    raw = sample[0]
    assert "@" in raw
    seen_by_analyst = analyst.get(f"/catalogue/datasets/{seeded.contacts}").get_data(as_text=True)
    assert raw not in seen_by_analyst and details.mask(raw) in seen_by_analyst
    seen_by_compliance = (
        signed_in("compliance").get(f"/catalogue/datasets/{seeded.contacts}").get_data(as_text=True)
    )
    assert raw in seen_by_compliance


def test_out_of_range_depth_is_refused_by_name(analyst, seeded):
    response = analyst.get(f"/catalogue/datasets/{seeded.dim_customer}/column-lineage?column=email&depth=9")
    assert response.status_code == 422
    assert "depth is 1 to 5" in response.get_data(as_text=True)
    page = analyst.get(f"/catalogue/datasets/{seeded.dim_customer}?depth=9").get_data(as_text=True)
    assert 'id="depth-error"' in page and "depth is 1 to 5" in page  # the page still shows, at depth 2
