"""Issue 23, schedules and review dates: actions at a time, and review events already fired.

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schedules",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("slug", sa.String(120), nullable=False),
        sa.Column("locale", sa.String(10), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(80), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_schedules_due", "schedules", ["state", "at"])
    op.create_table(
        "review_events",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("slug", sa.String(120), primary_key=True),
        sa.Column("locale", sa.String(10), primary_key=True),
        sa.Column("event", sa.String(20), primary_key=True),
        sa.Column("next_review_on", sa.Date, primary_key=True),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("review_events")
    op.drop_index("ix_schedules_due", "schedules")
    op.drop_table("schedules")
