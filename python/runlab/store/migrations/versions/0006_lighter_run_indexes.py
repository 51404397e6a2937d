"""Lighter indexes for the run writes: each index costs every run's two writes a page.

- runs by (project, iteration, name, start_time) goes: the jobs summary answers the jobs list since 0005,
  and the (project, start_time) and (project, name, start_time) indexes now end with the iteration, so a
  listing without sweep children skips them in the index;
- runs by state becomes ``ix_runs_live``, holding only runs not yet ended (ending a run removes its entry
  instead of moving it);
- the jobs summary's (project, last_start) index goes: a project's jobs are few and are sorted as read.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_LIVE = "state IN ('pending', 'running', 'aborting')"  # a copy: a migration stays as it was written


def upgrade() -> None:
    op.drop_index("ix_runs_project_iter_name_start", table_name="runs")
    op.drop_index("ix_runs_project_start", table_name="runs")
    op.create_index("ix_runs_project_start", "runs", ["project", "start_time", "iteration"])
    op.drop_index("ix_runs_project_name_start", table_name="runs")
    op.create_index("ix_runs_project_name_start", "runs", ["project", "name", "start_time", "iteration"])
    op.drop_index("ix_runs_state", table_name="runs")
    op.create_index("ix_runs_live", "runs", ["state"], sqlite_where=sa.text(_LIVE), postgresql_where=sa.text(_LIVE))
    op.drop_index("ix_job_summary_project_start", table_name="job_summary")


def downgrade() -> None:
    op.create_index("ix_job_summary_project_start", "job_summary", ["project", "last_start"])
    op.drop_index("ix_runs_live", table_name="runs")
    op.create_index("ix_runs_state", "runs", ["state"])
    op.drop_index("ix_runs_project_name_start", table_name="runs")
    op.create_index("ix_runs_project_name_start", "runs", ["project", "name", "start_time"])
    op.drop_index("ix_runs_project_start", table_name="runs")
    op.create_index("ix_runs_project_start", "runs", ["project", "start_time"])
    op.create_index("ix_runs_project_iter_name_start", "runs", ["project", "iteration", "name", "start_time"])
