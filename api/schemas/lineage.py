"""Schemas for the OpenLineage endpoints (Marquez-compatible names: camelCase)."""

from marshmallow import Schema, ValidationError, fields, validate

from core.clock import parse_instant


class Instant(fields.Field):
    """An ISO 8601 instant (`Z`, offsets, naive = UTC), parsed to an aware UTC datetime."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_instant(str(value))
        except ValueError:
            raise ValidationError("not an ISO 8601 instant such as 2024-05-01T12:00:00Z") from None


class OpenLineageEventIn(Schema):
    """One OpenLineage 2-0-2 RunEvent, DatasetEvent or JobEvent (documentation only: parsed as JSON)."""

    class Meta:
        unknown = "include"

    eventType = fields.String(
        metadata={"description": "START, RUNNING, COMPLETE, ABORT, FAIL or OTHER (optional)"}
    )
    eventTime = fields.String(required=True, metadata={"description": "ISO 8601; naive means UTC"})
    producer = fields.String(required=True)
    schemaURL = fields.String(metadata={"description": "optional; the 2-0-2 one is assumed"})
    run = fields.Dict(metadata={"description": "RunEvent: {runId, facets}"})
    job = fields.Dict(metadata={"description": "RunEvent and JobEvent: {namespace, name, facets}"})
    dataset = fields.Dict(metadata={"description": "DatasetEvent: {namespace, name, facets}"})
    inputs = fields.List(fields.Dict())
    outputs = fields.List(fields.Dict())


class LineageBatchIn(Schema):
    events = fields.List(fields.Nested(OpenLineageEventIn), required=True)


class LineageIngestOut(Schema):
    status = fields.String(
        metadata={"description": "stored, or duplicate (the same event was stored before)"}
    )
    eventId = fields.String(
        attribute="event_id", metadata={"description": "sha256 of the canonical event JSON"}
    )
    kind = fields.String(metadata={"description": "run, dataset or job"})


class LineageBatchItemOut(Schema):
    index = fields.Integer()
    status = fields.String(metadata={"description": "stored, duplicate or rejected"})
    eventId = fields.String(attribute="event_id", allow_none=True)
    error = fields.Dict(allow_none=True, metadata={"description": "{error, message, field} when rejected"})


class LineageBatchOut(Schema):
    stored = fields.Integer()
    duplicates = fields.Integer()
    rejected = fields.Integer()
    results = fields.List(fields.Nested(LineageBatchItemOut), attribute="items")
    error = fields.String(allow_none=True, metadata={"description": "first rejection: error code"})
    message = fields.String(allow_none=True, metadata={"description": "first rejection: what to fix"})
    field = fields.String(
        allow_none=True, metadata={"description": "first rejection: e.g. events[3].job.name"}
    )


class LineageGraphQuery(Schema):
    nodeId = fields.String(required=True, data_key="nodeId", attribute="node_id")
    depth = fields.Integer(load_default=None, validate=validate.Range(min=0))
    direction = fields.String(
        load_default="both", validate=validate.OneOf(["upstream", "downstream", "both"])
    )
    asOf = Instant(
        load_default=None, attribute="as_of", metadata={"description": "the graph as it was at this instant"}
    )
    runId = fields.String(
        load_default=None, attribute="run_id", metadata={"description": "the graph as this run saw it"}
    )
    maxNodes = fields.Integer(load_default=None, attribute="max_nodes", validate=validate.Range(min=1))


class LineageColumnQuery(Schema):
    nodeId = fields.String(required=True, attribute="node_id")
    depth = fields.Integer(load_default=None, validate=validate.Range(min=0))
    withDownstream = fields.Boolean(load_default=False, attribute="with_downstream")
    maxNodes = fields.Integer(load_default=None, attribute="max_nodes", validate=validate.Range(min=1))


class LineageImpactQuery(Schema):
    nodeId = fields.String(required=True, attribute="node_id")
    depth = fields.Integer(load_default=None, validate=validate.Range(min=0))
    maxNodes = fields.Integer(load_default=None, attribute="max_nodes", validate=validate.Range(min=1))


class LineageGraphNodeOut(Schema):
    id = fields.String()
    type = fields.String(metadata={"description": "DATASET, JOB or DATASET_FIELD"})
    data = fields.Dict()
    inEdges = fields.List(fields.Dict(), attribute="in_edges")
    outEdges = fields.List(fields.Dict(), attribute="out_edges")


class LineageGraphOut(Schema):
    graph = fields.List(fields.Nested(LineageGraphNodeOut))
    nodeId = fields.String(attribute="node_id")
    depth = fields.Integer()
    direction = fields.String()
    maxNodes = fields.Integer(attribute="max_nodes")
    truncated = fields.Boolean(metadata={"description": "true when a depth or node cap cut the graph"})
    truncatedReason = fields.String(attribute="truncated_reason", allow_none=True)
    asOf = fields.String(attribute="as_of", allow_none=True)
    runId = fields.String(attribute="run_id", allow_none=True)


class LineageImpactedOut(Schema):
    id = fields.String(attribute="node_id")
    namespace = fields.String()
    name = fields.String()
    level = fields.Integer(metadata={"description": "jobs between the start node and this one"})
    owners = fields.Function(lambda i: [{"name": n, "type": t} for n, t in i.owners])
    deleted = fields.Boolean()


class LineageImpactedFieldOut(Schema):
    id = fields.String(attribute="node_id")
    namespace = fields.String()
    dataset = fields.String()
    field = fields.String()
    level = fields.Integer()


class LineageImpactOut(Schema):
    nodeId = fields.String(attribute="node_id")
    datasets = fields.List(fields.Nested(LineageImpactedOut))
    jobs = fields.List(fields.Nested(LineageImpactedOut))
    fields_ = fields.List(fields.Nested(LineageImpactedFieldOut), data_key="fields", attribute="fields")
    notify = fields.Function(
        lambda r: [
            {"name": n, "type": t, "nodes": nodes} for (n, t), nodes in sorted(r.notify.items(), key=str)
        ],
        metadata={"description": "each owner to notify and the affected nodes they own"},
    )
    truncated = fields.Boolean()
    truncatedReason = fields.String(attribute="truncated_reason", allow_none=True)


class LineagePageQuery(Schema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class LineageEventsQuery(LineagePageQuery):
    before = Instant(load_default=None)
    after = Instant(load_default=None)
    sortDirection = fields.String(
        load_default="desc", attribute="sort", validate=validate.OneOf(["asc", "desc"])
    )


class LineageEventsOut(Schema):
    events = fields.List(fields.Dict())
    totalCount = fields.Integer(attribute="total_count")


def _text(**kw):
    return fields.String(allow_none=True, **kw)


class LineageDatasetOut(Schema):
    id = fields.Dict(metadata={"description": "{namespace, name}"})
    type = fields.String()
    name = fields.String()
    physicalName = fields.String()
    namespace = fields.String()
    createdAt = _text()
    updatedAt = _text()
    sourceName = _text()
    fields_ = fields.List(fields.Dict(), data_key="fields", attribute="fields")
    tags = fields.List(fields.String())
    lastModifiedAt = _text(metadata={"description": "end of the latest completed run that wrote it"})
    lastLifecycleState = _text(metadata={"description": "CREATE, ALTER, DROP, OVERWRITE, RENAME or TRUNCATE"})
    description = _text()
    owners = fields.List(fields.Dict())
    currentVersion = _text()
    deleted = fields.Boolean(metadata={"description": "dropped (lifecycleStateChange DROP); never deleted"})
    droppedAt = _text()
    facets = fields.Dict(metadata={"description": "current facets (detail only)"})
    aliases = fields.List(fields.Dict(), metadata={"description": "symlinks and former names (detail only)"})


class LineageRunOut(Schema):
    id = fields.String()
    state = fields.String(metadata={"description": "NEW, RUNNING, COMPLETED, FAILED or ABORTED"})
    createdAt = _text()
    updatedAt = _text()
    startedAt = _text()
    endedAt = _text()
    durationMs = fields.Integer(allow_none=True)
    nominalStartTime = _text()
    nominalEndTime = _text()
    parentRunId = _text()
    states = fields.List(fields.Dict(), metadata={"description": "every transition: {state, at}"})
    job = fields.Dict()
    facets = fields.Dict()


class LineageJobOut(Schema):
    id = fields.Dict()
    type = fields.String()
    jobType = _text()
    integration = _text()
    name = fields.String()
    simpleName = fields.String()
    parentJobName = _text()
    parentJob = fields.Dict(allow_none=True)
    namespace = fields.String()
    createdAt = _text()
    updatedAt = _text()
    inputs = fields.List(fields.Dict())
    outputs = fields.List(fields.Dict())
    description = _text()
    latestRun = fields.Nested(LineageRunOut, allow_none=True)
    children = fields.List(fields.Dict(), metadata={"description": "jobs whose runs name this job as parent"})
    facets = fields.Dict()


class LineageDatasetVersionOut(Schema):
    version = fields.String()
    createdAt = _text()
    createdByRun = _text()
    fields_ = fields.List(fields.Dict(), data_key="fields", attribute="fields")
    lifecycleState = _text()
    rowCount = fields.Integer(allow_none=True)


class LineageNamespaceOut(Schema):
    name = fields.String()
    createdAt = _text()
    updatedAt = _text()


class LineageSourceOut(Schema):
    name = fields.String()
    connectionUrl = _text()
    createdAt = _text()
    updatedAt = _text()


def page_schema(name: str, item: type[Schema]) -> type[Schema]:
    """`{name: [...], totalCount}` (Marquez's ResultsPage)."""
    return Schema.from_dict(
        {
            name: fields.List(fields.Nested(item), attribute="items"),
            "totalCount": fields.Integer(attribute="total_count"),
        },
        name=f"Lineage{name.capitalize()}Page",
    )


LineageNamespacesOut = page_schema("namespaces", LineageNamespaceOut)
LineageSourcesOut = page_schema("sources", LineageSourceOut)
LineageDatasetsOut = page_schema("datasets", LineageDatasetOut)
LineageVersionsOut = page_schema("versions", LineageDatasetVersionOut)
LineageJobsOut = page_schema("jobs", LineageJobOut)
LineageRunsOut = page_schema("runs", LineageRunOut)
