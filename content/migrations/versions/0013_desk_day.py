"""Issue 21, the desk for a whole working day: discarded drafts kept for undo, invites, comments
on drafts, and the desk's signing keys.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # New tables only: nothing existing changes.
    op.create_table(
        "discarded_drafts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("slug", sa.String(120), nullable=False),
        sa.Column("locale", sa.String(10), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("content_hash", sa.String(80), nullable=False),
        sa.Column("based_on_version", sa.Integer, nullable=False),
        sa.Column("editors", sa.Text, nullable=False, server_default="[]"),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("discarded_by", sa.String(200), nullable=False),
        sa.Column("discarded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("restored_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_discarded_drafts_item", "discarded_drafts", ["kind", "slug", "locale"])
    op.create_table(
        "invites",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("token_name", sa.String(100), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("slug", sa.String(120), nullable=False),
        sa.Column("locale", sa.String(10), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_comments_item", "comments", ["kind", "slug", "locale"])
    op.create_table(
        "desk_keys",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("desk_keys")
    op.drop_index("ix_comments_item", "comments")
    op.drop_table("comments")
    op.drop_table("invites")
    op.drop_index("ix_discarded_drafts_item", "discarded_drafts")
    op.drop_table("discarded_drafts")
