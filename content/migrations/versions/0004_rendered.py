"""Rendered exports in the database, so replicas share them without a shared disk.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rendered",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_rendered_created_at", "rendered", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_rendered_created_at", "rendered")
    op.drop_table("rendered")
