"""The typed index of run values (``run_values``) and its per-project watermark (``run_values_marks``).

Both are created empty: the first filtered or ordered query of a project fills them from its runs (the same
catch-up that keeps them current afterwards), so upgrading a large store costs nothing up front and a store
that is never filtered never pays for them. No trigger and no index touches ``runs``: a run's writes stay
as they were.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_values",
        sa.Column("uid", sa.String(32), primary_key=True),
        sa.Column("iteration", sa.Integer, primary_key=True),
        sa.Column("field", sa.Text, primary_key=True),
        sa.Column("project", sa.String(63), nullable=False),
        sa.Column("type", sa.String(8), nullable=False),
        sa.Column("num", sa.Float, nullable=True),
        sa.Column("str", sa.Text, nullable=True),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_run_values_project", "run_values", ["project", "field", "type", "num"])
    op.create_table(
        "run_values_marks",
        sa.Column("project", sa.String(63), primary_key=True),
        sa.Column("last_update", sa.Float, nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("run_values_marks")
    op.drop_index("ix_run_values_project", table_name="run_values")
    op.drop_table("run_values")
