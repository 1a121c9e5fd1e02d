"""Desk sessions: who is signed in to /desk, by the hash of a random cookie id.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "desk_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("token_name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_desk_sessions_expires", "desk_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_desk_sessions_expires", "desk_sessions")
    op.drop_table("desk_sessions")
