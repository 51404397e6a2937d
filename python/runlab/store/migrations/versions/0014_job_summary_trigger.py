"""The jobs summary counts each new run itself: a trigger on ``runs`` (SQLite and PostgreSQL alike).

Until now every path that inserted a run also ran the summary's UPSERT (``jobsummary.on_create``), in the
same transaction. The database now does it for every insert, whoever makes it: a run's start is one INSERT
statement, the summary stays right after a bulk insert, and no insert path can forget it. Deleting runs
still goes through ``jobsummary.on_delete`` (it finds a job's new latest run).

What the trigger does is what the UPSERT did: count the row (``records``), count a top-level run (``runs``,
iteration 0), and make a top-level run the job's latest when it started later than the latest (ties: the
greater uid).

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# A copy of the summary's UPSERT as it was written in ``jobsummary`` (a migration stays as it was written),
# reading the inserted row as ``NEW``. The existing summary row is ``job_summary.x``, the new one ``excluded.x``.
_NEWER = ("excluded.last_start IS NOT NULL AND (job_summary.last_start IS NULL"
          " OR excluded.last_start > job_summary.last_start"
          " OR (excluded.last_start = job_summary.last_start AND excluded.last_uid > job_summary.last_uid))")
_COUNT_NEW_RUN = (
    "INSERT INTO job_summary (project, name, runs, records, last_start, last_uid)"
    " VALUES (NEW.project, NEW.name, CASE WHEN NEW.iteration = 0 THEN 1 ELSE 0 END, 1,"
    " CASE WHEN NEW.iteration = 0 THEN NEW.start_time END, CASE WHEN NEW.iteration = 0 THEN NEW.uid END)"
    " ON CONFLICT (project, name) DO UPDATE SET"
    " runs = job_summary.runs + excluded.runs, records = job_summary.records + 1,"
    f" last_start = CASE WHEN {_NEWER} THEN excluded.last_start ELSE job_summary.last_start END,"
    f" last_uid = CASE WHEN {_NEWER} THEN excluded.last_uid ELSE job_summary.last_uid END"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION runlab_job_summary_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   f"{_COUNT_NEW_RUN}; RETURN NULL; END $$")
        op.execute("CREATE TRIGGER job_summary_count AFTER INSERT ON runs FOR EACH ROW "
                   "EXECUTE FUNCTION runlab_job_summary_count()")
    else:
        op.execute(f"CREATE TRIGGER job_summary_count AFTER INSERT ON runs BEGIN {_COUNT_NEW_RUN}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER job_summary_count ON runs")
        op.execute("DROP FUNCTION runlab_job_summary_count()")
    else:
        op.execute("DROP TRIGGER job_summary_count")
