"""Reviews are sign-offs by reviewer accounts; a review a library file claimed is withdrawn.

Versions and drafts record who signed off (the reviewer account's token name, display name and
credentials), when, and the content hash the sign-off covered; tokens gain credentials; drafts
record everyone who edited them (four eyes: none of them may sign off).

Existing versions: a version keeps its review only when it was published through the API from a
draft whose sign-off the audit log records for exactly that content (or copies such a version's
content, by restore or embed refresh). Every other review (typed into a library file and synced)
is withdrawn: its reviewer and dates are cleared, the claim is kept in ``review_withdrawn``, the
next-review date stays as the review asked for, and an audit entry ``withdraw_review`` by
``migration 0007`` names it. Sign-offs of open drafts are cleared: the four-eyes rule did not
hold when they were made, so a reviewer signs again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

import datetime as dt
import hashlib
from typing import Any

import msgspec
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ACTOR = "migration 0007"


def upgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        batch.alter_column("reviewed_by", existing_type=sa.String(200), nullable=True)
        batch.alter_column("reviewed_on", existing_type=sa.Date, nullable=True)
        batch.alter_column("next_review_on", existing_type=sa.Date, nullable=True)
        batch.add_column(sa.Column("reviewer_account", sa.String(100), nullable=True))
        batch.add_column(sa.Column("reviewer_credentials", sa.String(200), nullable=True))
        batch.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("reviewed_hash", sa.String(80), nullable=True))
        batch.add_column(sa.Column("review_withdrawn", sa.Text, nullable=True))
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("editors", sa.Text, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("reviewer_account", sa.String(100), nullable=True))
        batch.add_column(sa.Column("reviewer_credentials", sa.String(200), nullable=True))
        batch.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("tokens") as batch:
        batch.add_column(sa.Column("credentials", sa.String(200), nullable=True))
    conn = op.get_bind()
    _versions(conn)
    _drafts(conn)


def _stripped_hash(raw: bytes) -> str:
    """The content hash of a stored version without the review it used to carry inline."""
    fields: dict[str, Any] = msgspec.json.decode(raw)
    if "review" in fields:
        fields["review"] = None
    return "sha256:" + hashlib.sha256(msgspec.json.encode(fields)).hexdigest()


def _versions(conn: sa.Connection) -> None:
    rows = conn.execute(
        sa.text(
            "SELECT v.id, v.item_id, v.number, v.content, v.source, v.published_at, v.reviewed_by, "
            "v.reviewed_on, i.kind, i.slug, i.locale FROM versions v JOIN items i ON i.id = v.item_id "
            "ORDER BY v.item_id, v.number"
        )
    ).all()
    reviews: dict[tuple[str, str, str, str], list[tuple[Any, str]]] = {}
    for entry in conn.execute(
        sa.text(
            "SELECT kind, slug, locale, hash_after, actor, at FROM audit WHERE action = 'review' ORDER BY id"
        )
    ):
        key = (entry.kind, entry.slug, entry.locale or "en", entry.hash_after)
        reviews.setdefault(key, []).append((entry.at, entry.actor))
    published = {
        (e.kind, e.slug, e.locale or "en", e.version)
        for e in conn.execute(
            sa.text("SELECT kind, slug, locale, version FROM audit WHERE action = 'publish'")
        )
    }
    signed: dict[tuple[Any, ...], tuple[str, Any]] = {}
    now = dt.datetime.now(dt.UTC)
    for row in rows:
        digest = _stripped_hash(row.content)
        key = (row.item_id, digest, row.reviewed_by, row.reviewed_on)
        found = reviews.get((row.kind, row.slug, row.locale, digest))
        if row.source == "api" and (row.kind, row.slug, row.locale, row.number) in published and found:
            at, actor = found[-1]
            signed.setdefault(key, (actor, at))
        if key in signed:
            actor, at = signed[key]
            conn.execute(
                sa.text(
                    "UPDATE versions SET reviewer_account = :actor, reviewed_at = :at, reviewed_hash = :h "
                    "WHERE id = :id"
                ),
                {"actor": actor, "at": at, "h": digest, "id": row.id},
            )
            continue
        if row.reviewed_by is None:
            continue
        claim = f"{row.reviewed_by}, {row.reviewed_on}"
        conn.execute(
            sa.text(
                "UPDATE versions SET reviewed_by = NULL, reviewed_on = NULL, review_withdrawn = :claim "
                "WHERE id = :id"
            ),
            {"claim": claim, "id": row.id},
        )
        conn.execute(
            sa.text(
                "INSERT INTO audit (at, actor, action, kind, slug, locale, version, hash_before, hash_after, "
                "detail) VALUES (:at, :actor, 'withdraw_review', :kind, :slug, :locale, :version, NULL, "
                "NULL, :detail)"
            ),
            {
                "at": now,
                "actor": ACTOR,
                "kind": row.kind,
                "slug": row.slug,
                "locale": row.locale,
                "version": row.number,
                "detail": f"Review claimed by a {row.source} version, never signed off in Folio: {claim}",
            },
        )


def _drafts(conn: sa.Connection) -> None:
    for row in conn.execute(sa.text("SELECT item_id, created_by, updated_by FROM drafts")).all():
        editors = list(dict.fromkeys([row.created_by, row.updated_by]))
        conn.execute(
            sa.text(
                "UPDATE drafts SET editors = :editors, reviewed_by = NULL, reviewed_on = NULL, "
                "next_review_on = NULL, reviewed_hash = NULL WHERE item_id = :id"
            ),
            {"editors": msgspec.json.encode(editors).decode(), "id": row.item_id},
        )


def downgrade() -> None:
    raise NotImplementedError("0007 withdraws reviews that were never signed off; there is no way back.")
