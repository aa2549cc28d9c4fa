"""Storage rows for jobs, runs and the edges between jobs and datasets (all derived from the events)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.types import JSONDoc, UTCDateTime


class LineageJob(SQLModel, table=True):
    """A job, its merged facets, its parent (Airflow DAG, Spark application) and current I/O owner run."""

    __tablename__ = "lineage_job"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=32, sa_column_kwargs={"unique": True})
    namespace: str = Field(sa_type=sa.Text)
    name: str = Field(sa_type=sa.Text)
    job_type: str | None = Field(default=None, max_length=64)
    integration: str | None = Field(default=None, max_length=64)
    processing_type: str | None = Field(default=None, max_length=20)
    description: str | None = Field(default=None, sa_type=sa.Text)
    facets: dict = Field(default_factory=dict, sa_type=JSONDoc)
    facet_stamps: dict = Field(default_factory=dict, sa_type=JSONDoc)
    parent_job_id: int | None = Field(default=None, foreign_key="lineage_job.id", index=True)
    parent_stamp: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    # The run whose inputs and outputs are the job's current edges (its latest run that declared any).
    io_run_id: str | None = Field(default=None, max_length=36)
    latest_run_id: str | None = Field(default=None, max_length=36)


class LineageRun(SQLModel, table=True):
    """A run with its current state, times and merged run facets; `is_static` marks a JobEvent."""

    __tablename__ = "lineage_run"
    __table_args__ = (sa.Index("ix_lineage_run_job_sort", "job_id", "sort_at"),)

    id: str = Field(max_length=36, primary_key=True)
    job_id: int = Field(foreign_key="lineage_job.id")
    parent_run_id: str | None = Field(default=None, max_length=36, index=True)
    is_static: bool = Field(default=False)
    state: str = Field(default="NEW", max_length=12)
    state_stamp: str | None = Field(default=None, max_length=100)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_event_at: datetime = Field(sa_type=UTCDateTime)
    last_event_at: datetime = Field(sa_type=UTCDateTime)
    # When the run counts as having started (START time, else its earliest event): orders runs of a job.
    sort_at: datetime = Field(sa_type=UTCDateTime)
    nominal_start: datetime | None = Field(default=None, sa_type=UTCDateTime)
    nominal_end: datetime | None = Field(default=None, sa_type=UTCDateTime)
    facets: dict = Field(default_factory=dict, sa_type=JSONDoc)
    facet_stamps: dict = Field(default_factory=dict, sa_type=JSONDoc)
    has_io: bool = Field(default=False)


class LineageRunState(SQLModel, table=True):
    """One state transition of a run (START, RUNNING, COMPLETE, FAIL, ABORT, OTHER), one per event."""

    __tablename__ = "lineage_run_state"

    event_hash: str = Field(max_length=64, primary_key=True)
    run_id: str = Field(max_length=36, index=True)
    transition: str = Field(max_length=12)
    at: datetime = Field(sa_type=UTCDateTime)


class LineageRunIO(SQLModel, table=True):
    """A dataset a run read (`in`) or wrote (`out`), accumulated over the run's events."""

    __tablename__ = "lineage_run_io"
    __table_args__ = (sa.Index("ix_lineage_run_io_dataset", "dataset_id", "direction", "run_id"),)

    run_id: str = Field(max_length=36, primary_key=True)
    direction: str = Field(max_length=3, primary_key=True)
    dataset_id: int = Field(foreign_key="lineage_dataset.id", primary_key=True)


class LineageEdge(SQLModel, table=True):
    """The current graph: dataset `in` to job, job `out` to dataset (from the job's defining run)."""

    __tablename__ = "lineage_edge"
    __table_args__ = (sa.Index("ix_lineage_edge_dataset", "dataset_id", "direction", "job_id"),)

    job_id: int = Field(foreign_key="lineage_job.id", primary_key=True)
    direction: str = Field(max_length=3, primary_key=True)
    dataset_id: int = Field(foreign_key="lineage_dataset.id", primary_key=True)


class LineageColumnEdge(SQLModel, table=True):
    """Column lineage: input field to output field (`out_field` empty = the whole output dataset)."""

    __tablename__ = "lineage_column_edge"
    __table_args__ = (
        sa.Index("ix_lineage_column_edge_out", "out_dataset_id", "out_field"),
        sa.Index("ix_lineage_column_edge_in", "in_dataset_id", "in_field"),
    )

    id: int | None = Field(default=None, primary_key=True)
    out_dataset_id: int = Field(foreign_key="lineage_dataset.id")
    out_field: str = Field(max_length=512)
    in_dataset_id: int = Field(foreign_key="lineage_dataset.id")
    in_field: str = Field(max_length=512)
    transformations: list = Field(default_factory=list, sa_type=JSONDoc)
    transformation_type: str | None = Field(default=None, max_length=40)
    transformation_description: str | None = Field(default=None, sa_type=sa.Text)
    # Carries values (a DIRECT transformation, or no detail given) and hides them (masking / MASKED).
    direct: bool = Field(default=True)
    masking: bool = Field(default=False)
    job_id: int | None = Field(default=None, foreign_key="lineage_job.id")  # the job that declared it
