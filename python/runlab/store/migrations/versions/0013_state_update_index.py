"""One index for the live runs and each project's updates: ``(state, project, last_update)``.

It replaces the live-runs index (``state``, only runs not yet ended) and the change-stamp index (``project,
last_update``). A run's start wrote an entry in each; its end removed one and moved the other. Now the start
writes one entry and the end moves it from ``running`` to the run's end state. Live runs are the ranges of
their three states; a project's updates since a time are one range per state.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_LIVE = "state IN ('pending', 'running', 'aborting')"  # a copy: a migration stays as it was written


def upgrade() -> None:
    op.create_index("ix_runs_state_update", "runs", ["state", "project", "last_update"])
    op.drop_index("ix_runs_live", table_name="runs")
    op.drop_index("ix_runs_project_update", table_name="runs")


def downgrade() -> None:
    op.create_index("ix_runs_project_update", "runs", ["project", "last_update"])
    op.create_index("ix_runs_live", "runs", ["state"], sqlite_where=sa.text(_LIVE), postgresql_where=sa.text(_LIVE))
    op.drop_index("ix_runs_state_update", table_name="runs")
