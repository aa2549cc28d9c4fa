"""Validation against the 2-0-2 schema, with Marquez's leniency and field-naming errors (no database)."""

import copy

import pytest

from core.errors import BadRequest, InvalidInput
from lineage.validate import event_hash, parse_body, parse_event
from tests.lineage_support import all_events, facet, marquez_cases, run_event


def test_every_corpus_event_is_accepted():
    events = all_events()
    parsed = [parse_event(e) for e in events]
    assert len(parsed) == 94
    assert len({p.event_hash for p in parsed}) == 94
    kinds = [p.kind for p in parsed]
    assert kinds.count("dataset") == 1 and kinds.count("job") == 1


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("event_required_only", ("run", None, "2020-12-28T19:51:01.641000+00:00")),
        ("event_required_no_timezone", ("run", None, "2020-12-28T19:51:01.641499+00:00")),
        ("event_required_nanoseconds", ("run", None, "2020-12-28T19:51:01.641499+00:00")),
        ("event_without_schema_url", ("run", "COMPLETE", "2020-12-28T09:52:00.001000+00:00")),
        ("event_dataset_event", ("dataset", None, "2020-12-28T09:52:00.001000+00:00")),
        ("event_job_event", ("job", "COMPLETE", "2020-12-28T09:52:00.001000+00:00")),
    ],
)
def test_marquez_leniency(case, expected):
    parsed = parse_event(marquez_cases()[case])
    assert (parsed.kind, parsed.event_type, parsed.event_time.isoformat()) == expected


def test_real_nanoseconds_and_lowercase_event_type():
    parsed = parse_event(run_event("j", event_type="complete", at="2024-05-01T10:00:00.123456789+02:00"))
    assert parsed.event_type == "COMPLETE"
    assert parsed.event_time.isoformat() == "2024-05-01T08:00:00.123456+00:00"


def test_missing_schema_url_is_filled_in_the_normalised_copy_only():
    raw = marquez_cases()["event_without_schema_url"]
    parsed = parse_event(raw)
    assert parsed.event["schemaURL"].endswith("#/$defs/RunEvent")
    assert "schemaURL" not in parsed.raw


def test_unknown_facets_are_kept_raw():
    raw = marquez_cases()["event_additional_facet"]
    parsed = parse_event(raw)
    assert "additionalProp1" in parsed.event["run"]["facets"]
    assert parsed.raw is raw


def test_facets_without_base_fields_and_old_parent_run_alias():
    event = run_event("child")
    event["run"]["facets"] = {
        "parentRun": {
            "run": {"runId": "3F5E83FA-3480-44FF-99C5-FF943904E5E8"},
            "job": {"namespace": "n", "name": "dag"},
        }
    }
    parsed = parse_event(event)
    parent = parsed.event["run"]["facets"]["parent"]
    assert parent["run"]["runId"] == "3f5e83fa-3480-44ff-99c5-ff943904e5e8"
    assert parent["_producer"] == "https://example.com/tests"


def test_hash_ignores_key_order():
    event = run_event("j", run_id="0190b3f2-5c1e-7d4a-9f00-1a2b3c4d5e6f")
    reordered = dict(reversed(list(event.items())))
    assert event_hash(event) == event_hash(reordered)


def _mutated(mutate):
    event = run_event(
        "job",
        inputs=[("db", "in")],
        outputs=[
            {
                "namespace": "db",
                "name": "out",
                "facets": {"schema": facet(fields=[{"name": "a", "type": "int"}])},
            }
        ],
    )
    event = copy.deepcopy(event)
    mutate(event)
    return event


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda e: e["job"].update(name=""), "job.name"),
        (lambda e: e["job"].update(name="   "), "job.name"),
        (lambda e: e["job"].pop("namespace"), "job.namespace"),
        (lambda e: e["run"].update(runId="not-a-uuid"), "run.runId"),
        (lambda e: e.pop("producer"), "producer"),
        (lambda e: e.update(eventType="DONE"), "eventType"),
        (lambda e: e.update(eventTime="yesterday"), "eventTime"),
        (lambda e: e.update(inputs={"namespace": "x"}), "inputs"),
        (lambda e: e["inputs"][0].update(name=""), "inputs[0].name"),
        (lambda e: e["outputs"][0]["facets"].update(schema="oops"), "outputs[0].facets.schema"),
        (
            lambda e: e["outputs"][0]["facets"]["schema"].update(fields={"a": 1}),
            "outputs[0].facets.schema.fields",
        ),
        (
            lambda e: e["outputs"][0]["facets"]["schema"]["fields"][0].pop("name"),
            "outputs[0].facets.schema.fields[0].name",
        ),
        (
            lambda e: e["outputs"][0]["facets"].update(symlinks=facet(identifiers=[{"namespace": "x"}])),
            "outputs[0].facets.symlinks.identifiers[0].name",
        ),
        (
            lambda e: e["outputs"][0]["facets"].update(
                lifecycleStateChange=facet(lifecycleStateChange="EXPLODE")
            ),
            "outputs[0].facets.lifecycleStateChange.lifecycleStateChange",
        ),
        (
            lambda e: e["run"].update(facets={"parent": facet(run={}, job={"namespace": "n", "name": "p"})}),
            "run.facets.parent.run.runId",
        ),
    ],
)
def test_shape_errors_name_the_field(mutate, field):
    with pytest.raises(InvalidInput) as raised:
        parse_event(_mutated(mutate))
    assert raised.value.status == 422
    assert raised.value.field == field
    assert field.split(".")[-1].split("[")[0] in raised.value.message or "eventTime" in raised.value.message


def test_not_an_event_at_all():
    with pytest.raises(InvalidInput) as raised:
        parse_event({"hello": "world"})
    assert raised.value.field == "job"
    with pytest.raises(InvalidInput):
        parse_event([1, 2])


@pytest.mark.parametrize("body", [b"", b"   ", b'{"eventTime": ', b"\xff\xfe"])
def test_unparseable_body_is_400(body):
    with pytest.raises(BadRequest) as raised:
        parse_body(body)
    assert raised.value.status == 400 and raised.value.field == "body"


def test_deleted_facet_marker_needs_no_content():
    event = _mutated(lambda e: e["outputs"][0]["facets"].update(schema=facet(_deleted=True)))
    assert parse_event(event).kind == "run"


@pytest.mark.parametrize(
    ("facet_value", "field"),
    [
        ("not an object", "run.facets.custom"),
        ({"_producer": 42, "_schemaURL": "x"}, "run.facets.custom._producer"),
        ({"_producer": "p", "_schemaURL": "x", "_deleted": "yes"}, "run.facets.custom._deleted"),
    ],
)
def test_every_facet_is_a_base_facet(facet_value, field):
    event = run_event("j")
    event["run"]["facets"] = {"custom": facet_value}
    with pytest.raises(InvalidInput) as raised:
        parse_event(event)
    assert raised.value.field == field
