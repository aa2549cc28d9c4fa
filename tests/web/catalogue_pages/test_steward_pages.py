"""Steward pages through the Flask client: certification, classes, description, owners, sources, roles."""

from __future__ import annotations

import sqlite3
import time

import sqlalchemy as sa

from catalog import details, scan_jobs


def _csrf(client, csrf_of, url):
    return csrf_of(client.get(url).get_data(as_text=True))


def _detail(runtime, dataset_id):
    with runtime.db.session() as session:
        return details.dataset_detail(session, dataset_id=dataset_id)


def test_steward_certifies_with_note_and_expiry_and_it_is_audited(steward, seeded, runtime, csrf_of):
    url = f"/steward/datasets/{seeded.dim_customer}"
    response = steward.post(
        f"{url}/certify",
        data={
            "note": "Checked against billing",
            "expires_at": "2099-01-31",
            "csrf_token": _csrf(steward, csrf_of, url),
        },
    )
    assert response.status_code == 302
    cert = _detail(runtime, seeded.dim_customer).certification
    assert (cert.status, cert.certified_by, cert.note) == (
        "certified",
        "user:steward",
        "Checked against billing",
    )
    assert cert.expires_at.year == 2099
    with runtime.db.engine.connect() as conn:
        actions = (
            conn.execute(
                sa.text("SELECT action FROM audit_log WHERE entity_id = :d"), {"d": seeded.dim_customer}
            )
            .scalars()
            .all()
        )
    assert "dataset.certify" in actions


def test_bad_certification_input_shows_next_to_the_field_and_keeps_it(steward, seeded, runtime, csrf_of):
    url = f"/steward/datasets/{seeded.contacts}"
    response = steward.post(
        f"{url}/certify",
        data={
            "note": "My <b>careful</b> check",
            "expires_at": "2020-01-01",
            "csrf_token": _csrf(steward, csrf_of, url),
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="expires_at-error"' in html and "expires_at must be in the future" in html
    assert "My &lt;b&gt;careful&lt;/b&gt; check</textarea>" in html  # kept, escaped
    assert 'value="2020-01-01"' in html
    assert _detail(runtime, seeded.contacts).certification.status == "draft"
    missing = steward.post(f"{url}/certify", data={"note": "", "csrf_token": _csrf(steward, csrf_of, url)})
    assert missing.status_code == 422 and 'id="note-error"' in missing.get_data(as_text=True)


def test_deprecate_points_to_the_replacement_and_a_bad_one_is_named(steward, seeded, runtime, csrf_of):
    url = f"/steward/datasets/{seeded.contacts}"
    bad = steward.post(
        f"{url}/deprecate",
        data={"note": "moved", "replacement_id": "ds_nope", "csrf_token": _csrf(steward, csrf_of, url)},
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'id="replacement_id-error"' in html and "ds_nope" in html
    good = steward.post(
        f"{url}/deprecate",
        data={
            "note": "use the warehouse",
            "replacement_id": seeded.dim_customer,
            "csrf_token": _csrf(steward, csrf_of, url),
        },
    )
    assert good.status_code == 302
    cert = _detail(runtime, seeded.contacts).certification
    assert cert.status == "deprecated" and cert.replaced_by.id == seeded.dim_customer
    page = steward.get(f"/catalogue/datasets/{seeded.contacts}").get_data(as_text=True)
    assert f'href="/catalogue/datasets/{seeded.dim_customer}"' in page and "instead" in page


def test_steward_rejects_a_suggested_class(steward, seeded, runtime, csrf_of):
    url = f"/steward/datasets/{seeded.contacts}"
    suggested = [
        (col.name, c.pii_class) for col in _detail(runtime, seeded.contacts).columns for c in col.classes
        if c.status == "suggested"
    ]  # fmt: skip
    column, pii_class = suggested[0]
    response = steward.post(
        f"{url}/classes",
        data={"column": column, "pii_class": pii_class, "decision": "reject", "note": "not personal",
              "csrf_token": _csrf(steward, csrf_of, url)},
    )  # fmt: skip
    assert response.status_code == 302
    after = {
        (col.name, c.pii_class): c.status
        for col in _detail(runtime, seeded.contacts).columns
        for c in col.classes
    }
    assert after[column, pii_class] == "rejected"


def test_description_and_owners(steward, seeded, runtime, csrf_of):
    url = f"/steward/datasets/{seeded.audience}"
    saved = steward.post(
        f"{url}/describe",
        data={"display_name": "Newsletter audience", "description": "Who gets the newsletter",
              "csrf_token": _csrf(steward, csrf_of, url)},
    )  # fmt: skip
    assert saved.status_code == 302
    bad_owner = steward.post(
        f"{url}/owners",
        data={"owner": "robot:x", "role": "owner", "csrf_token": _csrf(steward, csrf_of, url)},
    )
    assert bad_owner.status_code == 422
    html = bad_owner.get_data(as_text=True)
    assert 'id="owner-error"' in html and 'value="robot:x"' in html
    added = steward.post(
        f"{url}/owners",
        data={"owner": "team:growth", "role": "steward", "csrf_token": _csrf(steward, csrf_of, url)},
    )
    assert added.status_code == 302
    detail = _detail(runtime, seeded.audience)
    assert detail.dataset.description == "Who gets the newsletter"
    assert ("team:growth", "steward") in {(o.name, o.role) for o in detail.owners}


def test_register_a_source_with_a_bad_url_keeps_what_was_typed(steward, seeded, csrf_of):
    page = steward.get("/steward/sources")
    assert page.status_code == 200 and "crm" in page.get_data(as_text=True)
    response = steward.post(
        "/steward/sources",
        data={"name": "erp", "url": "mysql://erp/db", "csrf_token": csrf_of(page.get_data(as_text=True))},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="url-error"' in html and 'value="mysql://erp/db"' in html and 'value="erp"' in html


def test_register_and_scan_a_source_in_the_background(steward, seeded, csrf_of, runtime, tmp_path):
    path = tmp_path / "loyalty.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE members (member_id INTEGER, email TEXT, points INTEGER)")
        conn.executemany(
            "INSERT INTO members VALUES (?, ?, ?)", [(i, f"m{i}@example.com", i) for i in range(30)]
        )
        conn.execute("CREATE TABLE rewards (reward_id INTEGER, member_id INTEGER, kind TEXT)")
    token = csrf_of(steward.get("/steward/sources").get_data(as_text=True))
    registered = steward.post(
        "/steward/sources", data={"name": "loyalty", "url": f"sqlite:///{path}", "csrf_token": token}
    )
    assert registered.status_code == 302
    started = steward.post("/steward/sources/loyalty/scan", data={"csrf_token": token})
    assert started.status_code == 302 and "/steward/scans/" in started.location
    job_id = started.location.rsplit("/", 1)[-1]
    for _ in range(300):  # wait for the background thread, not for a time
        with runtime.db.session() as session:
            job = scan_jobs.get_scan_job(session, job_id=job_id)
        if job.state != "running":
            break
        time.sleep(0.1)
    assert job.state == "done", job.message
    assert job.added == job.tables_total == 2
    html = steward.get(started.location).get_data(as_text=True)
    assert "2</span> added" in html
    found = steward.get("/catalogue?q=members").get_data(as_text=True)
    assert ">members<" in found and "email?" in steward.get(
        found.split('class="hit-name" href="')[1].split('"')[0]
    ).get_data(as_text=True)


def test_analyst_and_marketing_cannot_reach_steward_pages(app, signed_in, seeded, csrf_of):
    for role in ("analyst", "marketing", "compliance"):
        client = signed_in(role)
        assert client.get("/steward").status_code == 403
        assert client.get(f"/steward/datasets/{seeded.contacts}").status_code == 403
        assert client.get("/steward/sources").status_code == 403
        token = csrf_of(client.get("/").get_data(as_text=True))
        posted = client.post(
            f"/steward/datasets/{seeded.contacts}/certify", data={"note": "x", "csrf_token": token}
        )
        assert posted.status_code == 403
    assert "/login" in app.test_client().get("/steward").location
