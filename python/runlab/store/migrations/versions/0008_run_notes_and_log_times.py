"""A run's notes: the free text a user writes about a run (``runs.notes``, null until written); and the start
times of a log's lines, with each log chunk (``logs.stamps``, see ``store.logstamps``; null for the chunks
written before).

Nullable columns with no default: adding them rewrites no row on SQLite or PostgreSQL.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("notes", sa.Text, nullable=True))
    op.add_column("logs", sa.Column("stamps", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("logs") as batch:
        batch.drop_column("stamps")
    with op.batch_alter_table("runs") as batch:  # SQLite drops a column only through a table copy
        batch.drop_column("notes")
