"""Issue 24, media: uploaded images and their variants, stored in the database.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media_assets",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("bytes", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
    )
    op.create_index("ix_media_assets_created_at", "media_assets", ["created_at"])
    op.create_table(
        "media_variants",
        sa.Column(
            "hash",
            sa.String(64),
            sa.ForeignKey("media_assets.hash", ondelete="CASCADE"),
            primary_key=True,
            nullable=False,
        ),
        sa.Column("width", sa.Integer, primary_key=True, nullable=False),
        sa.Column("format", sa.String(8), primary_key=True, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("media_variants")
    op.drop_index("ix_media_assets_created_at", "media_assets")
    op.drop_table("media_assets")
