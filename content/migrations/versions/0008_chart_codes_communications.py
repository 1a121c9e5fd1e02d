"""Issue 22, the chart: clinical codes per version, and Communications (what each patient was given).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No version before this revision carries codes: there is nothing to copy.
    op.create_table(
        "version_codes",
        sa.Column(
            "version_id",
            sa.Integer,
            sa.ForeignKey("versions.id", ondelete="CASCADE"),
            primary_key=True,
            nullable=False,
        ),
        sa.Column("system", sa.String(100), primary_key=True, nullable=False),
        sa.Column("code", sa.String(40), primary_key=True, nullable=False),
    )
    op.create_index("ix_version_codes_code", "version_codes", ["code", "system"])
    op.create_table(
        "communications",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False),
        sa.Column("document", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("encounter", sa.String(200), nullable=True),
        sa.Column("sent", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
    )
    op.create_index("ix_communications_document", "communications", ["document"])
    op.create_index("ix_communications_recorded_at", "communications", ["recorded_at"])


def downgrade() -> None:
    op.drop_index("ix_communications_recorded_at", "communications")
    op.drop_index("ix_communications_document", "communications")
    op.drop_table("communications")
    op.drop_index("ix_version_codes_code", "version_codes")
    op.drop_table("version_codes")
