"""A project's settings (``projects.settings``): a JSON object of what a project keeps besides its folder,
artifact path and description (the runs a project gc pass deletes after each run, ``gc``).

The column is nullable with no default, so adding it rewrites no row; existing projects get an empty
object, the value a project without settings has.

Revision ID: 0012
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("projects", sa.Column("settings", sa.JSON, nullable=True))
    op.execute("UPDATE projects SET settings = '{}'")


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:  # SQLite drops a column only through a table copy
        batch.drop_column("settings")
