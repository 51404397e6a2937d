"""Cron schedules and what schedulers did with them.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schedules",
        sa.Column("project", sa.String(63), primary_key=True),
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("function", sa.String(63), nullable=False),
        sa.Column("cron", sa.String(255), nullable=False),
        sa.Column("timezone", sa.String(63), nullable=False),
        sa.Column("task", sa.JSON, nullable=False),
        sa.Column("concurrency", sa.String(16), nullable=False),
        sa.Column("paused", sa.Integer, nullable=False),
        sa.Column("next_run", sa.Float, nullable=False),
        sa.Column("last_run", sa.Float, nullable=True),
        sa.Column("last_uid", sa.String(32), nullable=True),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("updated", sa.Float, nullable=False),
    )
    op.create_index("ix_schedules_due", "schedules", ["paused", "next_run"])
    op.create_table(
        "schedule_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project", sa.String(63), nullable=False),
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("time", sa.Float, nullable=False),
        sa.Column("due", sa.Float, nullable=True),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("run_uid", sa.String(32), nullable=True),
        sa.Column("message", sa.Text, nullable=False),
    )
    op.create_index("ix_schedule_events_schedule", "schedule_events", ["project", "name", "time"])


def downgrade() -> None:
    op.drop_index("ix_schedule_events_schedule", table_name="schedule_events")
    op.drop_table("schedule_events")
    op.drop_index("ix_schedules_due", table_name="schedules")
    op.drop_table("schedules")
