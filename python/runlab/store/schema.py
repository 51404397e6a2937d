"""The run store's tables (SQLAlchemy Core). Migrations in ``migrations/versions`` must match this."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()

LIVE_STATE_SQL = "state IN ('pending', 'running', 'aborting')"
"""The runs not yet ended (``record.LIVE_STATES``), as SQL: three ranges of the state index."""

RUN_STATES = ("created", "pending", "running", "aborting", "completed", "error", "aborted")
"""Every state a run can be in (``record.RunState``): a project's updates are found through the state index
one state at a time."""

CACHE_KEY_SQL = "cache_key IS NOT NULL"
"""The runs the cache-key index holds (a comparison on ``cache_key`` implies it, so lookups use the index)."""

projects = Table(
    "projects",
    metadata,
    Column("name", String(63), primary_key=True),
    Column("context", Text, nullable=False, default=""),
    Column("artifact_path", Text, nullable=False, default=""),
    Column("description", Text, nullable=False, default=""),
    Column("created", Float, nullable=False),
    Column("updated", Float, nullable=False),
    Column("settings", JSON, nullable=True),  # what the project keeps besides these (``gc``: its post-run gc)
)

PROJECT_COLUMNS = ("name", "context", "artifact_path", "description", "created", "updated")
"""The columns of a project as ``RunStore.get_project`` and ``list_projects`` give it (settings apart)."""

functions = Table(
    "functions",
    metadata,
    Column("project", String(63), primary_key=True),
    Column("name", String(63), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("spec", JSON, nullable=False),
    Column("updated", Float, nullable=False),
)

# One row per (uid, iteration). Times are epoch seconds (float): cheap to index and sort on every backend.
runs = Table(
    "runs",
    metadata,
    Column("uid", String(32), primary_key=True),
    Column("iteration", Integer, primary_key=True),
    Column("project", String(63), nullable=False),
    Column("name", String(63), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("state", String(16), nullable=False),
    Column("labels", JSON, nullable=False),
    Column("spec", JSON, nullable=False),
    Column("results", JSON, nullable=False),
    Column("status", JSON, nullable=False),
    Column("error", Text, nullable=True),
    Column("start_time", Float, nullable=False),
    Column("last_update", Float, nullable=False),
    Column("end_time", Float, nullable=True),
    Column("pid", Integer, nullable=True),
    Column("host", String(255), nullable=True),
    Column("owner", JSON, nullable=True),  # model.Owner: runtime, pid_started, dask_key
    Column("notes", Text, nullable=True),  # the user's free-text notes on the run (iteration 0 only)
    Column("cache_key", String(64), nullable=True),  # runcache: set on runs started with cache=True
    # Every index costs each run's writes a page: each one here answers a query the product makes. The
    # iteration at the end lets a listing without sweep children skip them in the index itself.
    Index("ix_runs_project_start", "project", "start_time", "iteration"),
    Index("ix_runs_project_name_start", "project", "name", "start_time", "iteration"),
    Index("ix_runs_start", "start_time"),  # listings across projects
    # The live runs (their states' ranges: orphan checks, the job queue, the live list) and each project's
    # updates since a time (one range per state: the change stamp, the ended runs, the values index), in one
    # index. A run's start adds one entry; its end moves it from ``running`` to its end state.
    Index("ix_runs_state_update", "state", "project", "last_update"),
    # Only the runs started with cache=True: a run without a key costs this index nothing.
    Index("ix_runs_cache_key", "cache_key", "end_time", sqlite_where=text(CACHE_KEY_SQL),
          postgresql_where=text(CACHE_KEY_SQL)),
)

# One row per job (a project's runs of one name), kept on write by ``jobsummary`` in the transaction that
# creates or deletes a run: the Jobs panel lists jobs and counts runs without reading every run.
job_summary = Table(
    "job_summary",
    metadata,
    Column("project", String(63), primary_key=True),
    Column("name", String(63), primary_key=True),
    Column("runs", Integer, nullable=False),  # runs (iteration 0)
    Column("records", Integer, nullable=False),  # rows of every iteration
    Column("last_start", Float, nullable=True),  # the latest run (iteration 0) ...
    Column("last_uid", String(32), nullable=True),  # ... and its uid
)  # a project has few jobs: listing them by last_start sorts them, with no index to keep on every run

# A typed copy of every run's params, results and labels (one row per key), kept at query time by
# ``runvalues.catch_up``, never by a run's own writes: a filter or an order on a value reads these indexes
# instead of every run's JSON. ``field`` is ``<section>.<key>`` (``params.lr``); ``type`` is number, string,
# boolean (``num`` 1 or 0), null or other (a list or an object: present, equal to nothing). One row per run
# has the field '' and type 'run': ``num`` is the ``last_update`` its values were read at.
run_values = Table(
    "run_values",
    metadata,
    Column("uid", String(32), primary_key=True),
    Column("iteration", Integer, primary_key=True),
    Column("field", Text, primary_key=True),
    Column("project", String(63), nullable=False),
    Column("type", String(8), nullable=False),
    Column("num", Float, nullable=True),
    Column("str", Text, nullable=True),
    # without a rowid on SQLite, the index ends with the key: a range of it is covering. A query across
    # projects names them (project IN ...): one index serves both, and each run's rows cost one entry less
    Index("ix_run_values_project", "project", "field", "type", "num"),
    sqlite_with_rowid=False,
)

# Per project: the ``last_update`` up to which its runs are in ``run_values`` and how many runs were indexed.
run_values_marks = Table(
    "run_values_marks",
    metadata,
    Column("project", String(63), primary_key=True),
    Column("last_update", Float, nullable=False),
    Column("records", Integer, nullable=False),
)

artifacts = Table(
    "artifacts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("project", String(63), nullable=False),
    Column("key", String(255), nullable=False),
    Column("version", Integer, nullable=False),
    Column("tag", String(63), nullable=True),
    Column("kind", String(32), nullable=False),
    Column("target", Text, nullable=False),
    Column("size", BigInteger, nullable=True),
    Column("hash", String(64), nullable=True),
    Column("run_uid", String(32), nullable=False),
    Column("iteration", Integer, nullable=False),
    Column("producer", String(63), nullable=False),
    Column("meta", JSON, nullable=False),
    Column("labels", JSON, nullable=False),
    Column("created", Float, nullable=False),
    UniqueConstraint("project", "key", "version", name="uq_artifacts_project_key_version"),
    Index("ix_artifacts_run", "run_uid", "iteration"),
)

# A run's log as chunks; ``offset`` is the chunk's byte offset in the UTF-8 log, so a reader can tail it.
logs = Table(
    "logs",
    metadata,
    Column("uid", String(32), primary_key=True),
    Column("iteration", Integer, primary_key=True),
    Column("offset", BigInteger, primary_key=True),
    Column("data", Text, nullable=False),
    Column("stamps", Text, nullable=True),  # the start times of the lines that start in the chunk (runlog)
)

# A cron schedule of a project's function: the full task it runs, when it is due next, what it last did.
# Schedulers claim a due time with a conditional update of ``next_run`` (exactly one wins it).
schedules = Table(
    "schedules",
    metadata,
    Column("project", String(63), primary_key=True),
    Column("name", String(63), primary_key=True),
    Column("function", String(63), nullable=False),
    Column("cron", String(255), nullable=False),
    Column("timezone", String(63), nullable=False, default=""),
    Column("task", JSON, nullable=False),
    Column("concurrency", String(16), nullable=False),
    Column("paused", Integer, nullable=False, default=0),
    Column("next_run", Float, nullable=False),
    Column("last_run", Float, nullable=True),
    Column("last_uid", String(32), nullable=True),
    Column("created", Float, nullable=False),
    Column("updated", Float, nullable=False),
    Index("ix_schedules_due", "paused", "next_run"),
)

# What schedulers did with a schedule: fired (with the run), skipped (forbid), replaced, caught up, failed.
schedule_events = Table(
    "schedule_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("project", String(63), nullable=False),
    Column("name", String(63), nullable=False),
    Column("time", Float, nullable=False),
    Column("due", Float, nullable=True),
    Column("event", String(16), nullable=False),
    Column("run_uid", String(32), nullable=True),
    Column("message", Text, nullable=False, default=""),
    Index("ix_schedule_events_schedule", "project", "name", "time"),
)

# The Python environments runs ran in, once each: a run's ``spec.code.environment`` is its ``hash`` (the sha256
# of the environment document, ``pyenv.environment_hash``). Rows are never changed; many runs share one.
environments = Table(
    "environments",
    metadata,
    Column("hash", String(64), primary_key=True),
    Column("python", String(32), nullable=False),
    Column("implementation", String(32), nullable=False),
    Column("platform", Text, nullable=False),
    Column("packages", JSON, nullable=False),  # sorted "name==version" lines
    Column("created", Float, nullable=False),
)
