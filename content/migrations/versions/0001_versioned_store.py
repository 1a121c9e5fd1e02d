"""Versioned store: items, tags, immutable versions, full-text search.

Revision ID: 0001
Revises:
Create Date: 2026-11-20
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("slug", sa.String(120), nullable=False),
        sa.Column("locale", sa.String(10), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("latest_version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("kind", "slug", name="uq_items_kind_slug"),
    )
    op.create_table(
        "item_tags",
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("tag", sa.String(60), primary_key=True),
    )
    op.create_index("ix_item_tags_tag", "item_tags", ["tag"])
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("content_hash", sa.String(80), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(200), nullable=False),
        sa.Column("reviewed_on", sa.Date, nullable=False),
        sa.Column("next_review_on", sa.Date, nullable=False),
        sa.UniqueConstraint("item_id", "number", name="uq_versions_item_number"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE TABLE search_documents (
                item_id integer PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
                title text NOT NULL,
                summary text NOT NULL,
                body text NOT NULL,
                document tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('english', title), 'A')
                    || setweight(to_tsvector('english', summary), 'B')
                    || setweight(to_tsvector('english', body), 'C')
                ) STORED
            )
            """
        )
        op.execute("CREATE INDEX ix_search_documents ON search_documents USING gin (document)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(title, summary, body, tokenize='porter unicode61')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE search_documents")
    else:
        op.execute("DROP TABLE search_fts")
    op.drop_table("versions")
    op.drop_index("ix_item_tags_tag", "item_tags")
    op.drop_table("item_tags")
    op.drop_table("items")
