"""Who owns a live run (runtime, process start time, Dask key) gets a column of its own, out of ``status``.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_OWNER_KEYS = ("runtime", "pid_started", "dask_key")


def upgrade() -> None:
    op.add_column("runs", sa.Column("owner", sa.JSON, nullable=True))
    runs = sa.table("runs", sa.column("uid", sa.String), sa.column("iteration", sa.Integer),
                    sa.column("state", sa.String), sa.column("status", sa.JSON), sa.column("owner", sa.JSON))
    conn = op.get_bind()
    live = conn.execute(sa.select(runs.c.uid, runs.c.iteration, runs.c.status)
                        .where(runs.c.state.in_(["pending", "running", "aborting"]))).all()
    for uid, iteration, status in live:  # ended runs keep the old keys; readers drop them
        status = json.loads(status) if isinstance(status, str) else dict(status or {})
        owner = {key: status.pop(key) for key in _OWNER_KEYS if key in status}
        conn.execute(sa.update(runs).where((runs.c.uid == uid) & (runs.c.iteration == iteration))
                     .values(owner=owner, status=status))


def downgrade() -> None:
    op.drop_column("runs", "owner")
