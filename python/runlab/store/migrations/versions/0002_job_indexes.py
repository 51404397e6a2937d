"""Indexes for the server's jobs list and change stamp: runs by (project, iteration, name, start_time)
and by (project, last_update).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_runs_project_iter_name_start", "runs", ["project", "iteration", "name", "start_time"])
    op.create_index("ix_runs_project_update", "runs", ["project", "last_update"])


def downgrade() -> None:
    op.drop_index("ix_runs_project_update", table_name="runs")
    op.drop_index("ix_runs_project_iter_name_start", table_name="runs")
