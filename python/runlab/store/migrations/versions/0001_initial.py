"""Initial schema: projects, functions, runs, artifacts, logs.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("context", sa.Text, nullable=False),
        sa.Column("artifact_path", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("updated", sa.Float, nullable=False),
    )
    op.create_table(
        "functions",
        sa.Column("project", sa.String(63), primary_key=True),
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("spec", sa.JSON, nullable=False),
        sa.Column("updated", sa.Float, nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("uid", sa.String(32), primary_key=True),
        sa.Column("iteration", sa.Integer, primary_key=True),
        sa.Column("project", sa.String(63), nullable=False),
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("labels", sa.JSON, nullable=False),
        sa.Column("spec", sa.JSON, nullable=False),
        sa.Column("results", sa.JSON, nullable=False),
        sa.Column("status", sa.JSON, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("start_time", sa.Float, nullable=False),
        sa.Column("last_update", sa.Float, nullable=False),
        sa.Column("end_time", sa.Float, nullable=True),
        sa.Column("pid", sa.Integer, nullable=True),
        sa.Column("host", sa.String(255), nullable=True),
    )
    op.create_index("ix_runs_project_start", "runs", ["project", "start_time"])
    op.create_index("ix_runs_project_name_start", "runs", ["project", "name", "start_time"])
    op.create_index("ix_runs_state", "runs", ["state"])
    op.create_index("ix_runs_start", "runs", ["start_time"])
    op.create_table(
        "artifacts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project", sa.String(63), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("tag", sa.String(63), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=True),
        sa.Column("hash", sa.String(64), nullable=True),
        sa.Column("run_uid", sa.String(32), nullable=False),
        sa.Column("iteration", sa.Integer, nullable=False),
        sa.Column("producer", sa.String(63), nullable=False),
        sa.Column("meta", sa.JSON, nullable=False),
        sa.Column("labels", sa.JSON, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.UniqueConstraint("project", "key", "version", name="uq_artifacts_project_key_version"),
    )
    op.create_index("ix_artifacts_run", "artifacts", ["run_uid", "iteration"])
    op.create_table(
        "logs",
        sa.Column("uid", sa.String(32), primary_key=True),
        sa.Column("iteration", sa.Integer, primary_key=True),
        sa.Column("offset", sa.BigInteger, primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("logs", "artifacts", "runs", "functions", "projects"):
        op.drop_table(table)
