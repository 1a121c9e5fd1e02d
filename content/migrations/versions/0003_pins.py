"""Pinned embeds per version, and a display name per token.

Existing versions pin the latest version of what they embed (what they showed until now);
existing tokens get their name as display name.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pins",
        sa.Column(
            "version_id", sa.Integer, sa.ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("slug", sa.String(120), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
    )
    op.create_index("ix_pins_target", "pins", ["kind", "slug"])
    with op.batch_alter_table("tokens") as batch:
        batch.add_column(sa.Column("display_name", sa.String(200), nullable=True))
    op.execute("UPDATE tokens SET display_name = name")
    with op.batch_alter_table("tokens") as batch:
        batch.alter_column("display_name", existing_type=sa.String(200), nullable=False)
    _pin_existing()


def _pin_existing() -> None:
    """Versions stored before pinning get the embeds' latest versions, in body order."""
    conn = op.get_bind()
    latest = {
        (row.kind, row.slug): row.latest_version
        for row in conn.execute(sa.text("SELECT kind, slug, latest_version FROM items"))
    }
    rows = []
    for row in conn.execute(sa.text("SELECT id, content FROM versions")):
        for position, (kind, slug) in enumerate(_embedded(bytes(row.content))):
            if latest.get((kind, slug)):
                rows.append(
                    {
                        "version_id": row.id,
                        "position": position,
                        "kind": kind,
                        "slug": slug,
                        "number": latest[(kind, slug)],
                    }
                )
    if rows:
        conn.execute(
            sa.text(
                "INSERT INTO pins (version_id, position, kind, slug, number) "
                "VALUES (:version_id, :position, :kind, :slug, :number)"
            ),
            rows,
        )


def _embedded(content: bytes) -> list[tuple[str, str]]:
    """(kind, slug) of each distinct item an article body embeds, in order (frozen copy of the rule)."""
    item = json.loads(content)
    found: list[tuple[str, str]] = []
    for block in item.get("body", []) if item.get("type") == "article" else []:
        ref = (block["type"], block["slug"])
        if block["type"] in ("faq", "comparison") and ref not in found:
            found.append(ref)
    return found


def downgrade() -> None:
    with op.batch_alter_table("tokens") as batch:
        batch.drop_column("display_name")
    op.drop_index("ix_pins_target", "pins")
    op.drop_table("pins")
