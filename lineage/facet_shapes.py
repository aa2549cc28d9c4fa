"""Concord's shape rules on top of the 2-0-2 core schema, for the fields and facets the graph is built from.

The core schema only says a facet is an object with `_producer` and `_schemaURL`; these overlays add
what the derived model relies on (non-empty names, UUID run ids, the shape of `schema`,
`columnLineage`, `symlinks`, `ownership`, ... as the facet specs define them). Facets marked
`_deleted: true` carry no content and are not checked. Unknown facets are kept and never checked.
"""

from __future__ import annotations

from typing import Any

UUID_PATTERN = "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
LIFECYCLE_STATES = ["ALTER", "CREATE", "DROP", "OVERWRITE", "RENAME", "TRUNCATE"]
NAMESPACE_MAX = 512
NAME_MAX = 1024
FIELD_MAX = 512

OPT_STR: dict[str, Any] = {"type": ["string", "null"]}
OPT_INT: dict[str, Any] = {"type": ["integer", "null"]}


def _name(max_length: int) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": r"\S"}


NAMESPACE = _name(NAMESPACE_MAX)
NAME = _name(NAME_MAX)
FIELD = _name(FIELD_MAX)


def _facet(shape: dict[str, Any]) -> dict[str, Any]:
    """A facet rule that applies unless the facet is a `_deleted` marker."""
    return {
        "if": {"type": "object", "required": ["_deleted"], "properties": {"_deleted": {"const": True}}},
        "else": {"type": "object", **shape},
    }


SCHEMA_FIELD: dict[str, Any] = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": FIELD,
        "type": OPT_STR,
        "description": OPT_STR,
        "ordinal_position": OPT_INT,
        "fields": {"type": "array", "items": {"$ref": "#/$defs/schemaField"}},
    },
}

TRANSFORMATION = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "type": {"type": "string", "minLength": 1},
        "subtype": OPT_STR,
        "description": OPT_STR,
        "masking": {"type": ["boolean", "null"]},
    },
}

INPUT_FIELD = {
    "type": "object",
    "required": ["namespace", "name", "field"],
    "properties": {
        "namespace": NAMESPACE,
        "name": NAME,
        "field": FIELD,
        "transformations": {"type": "array", "items": TRANSFORMATION},
    },
}

DATASET_FACETS = {
    "schema": _facet({"properties": {"fields": {"type": "array", "items": {"$ref": "#/$defs/schemaField"}}}}),
    "columnLineage": _facet(
        {
            "required": ["fields"],
            "properties": {
                "fields": {
                    "type": "object",
                    "propertyNames": {"maxLength": FIELD_MAX},
                    "additionalProperties": {
                        "type": "object",
                        "required": ["inputFields"],
                        "properties": {
                            "inputFields": {"type": "array", "items": INPUT_FIELD},
                            "transformationDescription": OPT_STR,
                            "transformationType": OPT_STR,
                        },
                    },
                },
                "dataset": {"type": "array", "items": INPUT_FIELD},
            },
        }
    ),
    "symlinks": _facet(
        {
            "required": ["identifiers"],
            "properties": {
                "identifiers": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["namespace", "name"],
                        "properties": {"namespace": NAMESPACE, "name": NAME, "type": OPT_STR},
                    },
                }
            },
        }
    ),
    "ownership": _facet(
        {
            "properties": {
                "owners": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name"],
                        "properties": {"name": {"type": "string", "minLength": 1}, "type": OPT_STR},
                    },
                }
            }
        }
    ),
    "documentation": _facet({"required": ["description"], "properties": {"description": {"type": "string"}}}),
    "dataSource": _facet({"properties": {"name": OPT_STR, "uri": OPT_STR}}),
    "lifecycleStateChange": _facet(
        {
            "required": ["lifecycleStateChange"],
            "properties": {
                "lifecycleStateChange": {"enum": LIFECYCLE_STATES},
                "previousIdentifier": {
                    "type": "object",
                    "required": ["namespace", "name"],
                    "properties": {"namespace": NAMESPACE, "name": NAME},
                },
            },
        }
    ),
}

OUTPUT_FACETS = {
    "outputStatistics": _facet({"properties": {"rowCount": OPT_INT, "size": OPT_INT}}),
}

JOB_FACETS = {
    "ownership": DATASET_FACETS["ownership"],
    "documentation": DATASET_FACETS["documentation"],
    "jobType": _facet(
        {"properties": {"processingType": OPT_STR, "integration": OPT_STR, "jobType": OPT_STR}}
    ),
}

RUN_FACETS = {
    "parent": _facet(
        {
            "required": ["run", "job"],
            "properties": {
                "run": {
                    "type": "object",
                    "required": ["runId"],
                    "properties": {"runId": {"type": "string", "pattern": UUID_PATTERN}},
                },
                "job": {
                    "type": "object",
                    "required": ["namespace", "name"],
                    "properties": {"namespace": NAMESPACE, "name": NAME},
                },
            },
        }
    ),
    "nominalTime": _facet(
        {
            "required": ["nominalStartTime"],
            "properties": {"nominalStartTime": {"type": "string"}, "nominalEndTime": OPT_STR},
        }
    ),
}


def _facets(known: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": known}


DATASET = {
    "type": "object",
    "properties": {"namespace": NAMESPACE, "name": NAME, "facets": _facets(DATASET_FACETS)},
}
OUTPUT = {**DATASET, "properties": {**DATASET["properties"], "outputFacets": _facets(OUTPUT_FACETS)}}
JOB = {"type": "object", "properties": {"namespace": NAMESPACE, "name": NAME, "facets": _facets(JOB_FACETS)}}
RUN = {
    "type": "object",
    "properties": {"runId": {"type": "string", "pattern": UUID_PATTERN}, "facets": _facets(RUN_FACETS)},
}
IO = {"inputs": {"type": "array", "items": DATASET}, "outputs": {"type": "array", "items": OUTPUT}}

DEFS = {"schemaField": SCHEMA_FIELD}

OVERLAYS: dict[str, dict[str, Any]] = {
    "RunEvent": {"type": "object", "properties": {"run": RUN, "job": JOB, **IO}},
    "JobEvent": {"type": "object", "properties": {"job": JOB, **IO}},
    "DatasetEvent": {"type": "object", "properties": {"dataset": DATASET}},
}
