"""The jobs summary (one row per job: run counts and the latest run), filled from the runs already stored.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The summary as runlab 0005 counts it (a copy, not an import: a migration stays as it was written).
_FILL = """
INSERT INTO job_summary (project, name, runs, records, last_start, last_uid)
SELECT g.project, g.name, g.runs, g.records, g.last_start,
       (SELECT r.uid FROM runs r WHERE r.project = g.project AND r.iteration = 0 AND r.name = g.name
        ORDER BY r.start_time DESC, r.uid DESC LIMIT 1)
FROM (SELECT project, name, SUM(CASE WHEN iteration = 0 THEN 1 ELSE 0 END) AS runs, COUNT(*) AS records,
             MAX(CASE WHEN iteration = 0 THEN start_time END) AS last_start
      FROM runs GROUP BY project, name) AS g
"""


def upgrade() -> None:
    op.create_table(
        "job_summary",
        sa.Column("project", sa.String(63), primary_key=True),
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("runs", sa.Integer, nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("last_start", sa.Float, nullable=True),
        sa.Column("last_uid", sa.String(32), nullable=True),
    )
    op.create_index("ix_job_summary_project_start", "job_summary", ["project", "last_start"])
    op.execute(_FILL)


def downgrade() -> None:
    op.drop_index("ix_job_summary_project_start", table_name="job_summary")
    op.drop_table("job_summary")
