"""The Python environments runs ran in (``environments``), stored once each and referenced from a run's
``spec.code.environment`` by their hash.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "environments",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("python", sa.String(32), nullable=False),
        sa.Column("implementation", sa.String(32), nullable=False),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("packages", sa.JSON, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("environments")
