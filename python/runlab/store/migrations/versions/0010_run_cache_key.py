"""The run cache's key (``runs.cache_key``: the sha256 of a run's code, handler, params and inputs, see
``runcache``), set on the runs started with ``cache=True``, and its index, partial so that a run without a key
costs it nothing.

Runs already stored get no key: their code and inputs may have changed since they ran, and a key is only
true for what was read when the run started, so an older run is never a cache source. Nullable with no
default: adding the column rewrites no row on SQLite or PostgreSQL.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_WHERE = sa.text("cache_key IS NOT NULL")


def upgrade() -> None:
    op.add_column("runs", sa.Column("cache_key", sa.String(64), nullable=True))
    op.create_index("ix_runs_cache_key", "runs", ["cache_key", "end_time"], sqlite_where=_WHERE,
                    postgresql_where=_WHERE)


def downgrade() -> None:
    op.drop_index("ix_runs_cache_key", table_name="runs")
    with op.batch_alter_table("runs") as batch:  # SQLite drops a column only through a table copy
        batch.drop_column("cache_key")
