"""The tables of the versioned store, one ``MetaData`` (``content.db`` re-exports them)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

items = sa.Table(
    "items",
    metadata,
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
    # An item is one translation: those of one item share kind and slug.
    sa.UniqueConstraint("kind", "slug", "locale", name="uq_items_kind_slug_locale"),
)

item_tags = sa.Table(
    "item_tags",
    metadata,
    sa.Column("item_id", sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag", sa.String(60), primary_key=True),
    sa.Index("ix_item_tags_tag", "tag"),
)

versions = sa.Table(
    "versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("item_id", sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),  # the item's stored JSON form
    sa.Column("content_hash", sa.String(80), nullable=False),
    sa.Column("author", sa.String(200), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("source", sa.String(16), nullable=False),  # "library" (sync) or "api"
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    # The sign-off this version carries (all null when unreviewed): the reviewer account's token
    # name, the display name and credentials printed, when, and the content hash it covered.
    sa.Column("reviewer_account", sa.String(100), nullable=True),
    sa.Column("reviewed_by", sa.String(200), nullable=True),
    sa.Column("reviewer_credentials", sa.String(200), nullable=True),
    sa.Column("reviewed_on", sa.Date, nullable=True),
    sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("reviewed_hash", sa.String(80), nullable=True),
    # When the next review is due; on an unreviewed version, the review asked for (a file's).
    sa.Column("next_review_on", sa.Date, nullable=True),
    # Migration 0007: the review a library file claimed, withdrawn ("Clinical review team, 2026-11-02").
    sa.Column("review_withdrawn", sa.Text, nullable=True),
    sa.UniqueConstraint("item_id", "number", name="uq_versions_item_number"),
)

# What each version embeds, pinned to the exact version it showed when it was published.
pins = sa.Table(
    "pins",
    metadata,
    sa.Column("version_id", sa.ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),  # order of first appearance in the body
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("slug", sa.String(120), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    # The translation pinned: the embedder's own locale where it exists, else the default one.
    sa.Column("locale", sa.String(10), nullable=False),
    sa.Index("ix_pins_target", "kind", "slug", "locale"),
)

# The clinical codes of each version (a copy of its content's ``codes``), so the chart's
# look-ups (Infobutton, FHIR, CDS Hooks, ?code=) find versions by code without decoding them.
version_codes = sa.Table(
    "version_codes",
    metadata,
    sa.Column("version_id", sa.ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("system", sa.String(100), primary_key=True),
    sa.Column("code", sa.String(40), primary_key=True),
    sa.Index("ix_version_codes_code", "code", "system"),
)

# What each patient was given (issue 22): the EHR's opaque references and the exact version,
# never a name, birth date or free text. ``document`` is the DocumentReference id given.
communications = sa.Table(
    "communications",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("version_id", sa.ForeignKey("versions.id"), nullable=False),
    sa.Column("document", sa.String(64), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("encounter", sa.String(200), nullable=True),
    sa.Column("sent", sa.DateTime(timezone=True), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("recorded_by", sa.String(100), nullable=False),
    sa.Index("ix_communications_document", "document"),
    sa.Index("ix_communications_recorded_at", "recorded_at"),
)

drafts = sa.Table(
    "drafts",
    metadata,
    sa.Column("item_id", sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("revision", sa.String(32), nullable=False),  # random per save: the ETag
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("content_hash", sa.String(80), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("updated_by", sa.String(200), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # Token names of everyone who wrote this draft's content: none of them may sign it off.
    sa.Column("editors", sa.Text, nullable=False, server_default="[]"),
    sa.Column("reviewer_account", sa.String(100), nullable=True),
    sa.Column("reviewed_by", sa.String(200), nullable=True),
    sa.Column("reviewer_credentials", sa.String(200), nullable=True),
    sa.Column("reviewed_on", sa.Date, nullable=True),
    sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("next_review_on", sa.Date, nullable=True),
    sa.Column("reviewed_hash", sa.String(80), nullable=True),  # the content the review covers
)

tokens = sa.Table(
    "tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    # Who the token stands for, as printed on what they review ("Dr A. Rivera, MD").
    sa.Column("display_name", sa.String(200), nullable=False),
    # Printed after the name when this person signs a review off ("MD"); schema.org honorificSuffix.
    sa.Column("credentials", sa.String(200), nullable=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("kind", sa.String(16), nullable=True),
    sa.Column("slug", sa.String(120), nullable=True),
    sa.Column("locale", sa.String(10), nullable=True),
    sa.Column("version", sa.Integer, nullable=True),
    sa.Column("hash_before", sa.String(80), nullable=True),
    sa.Column("hash_after", sa.String(80), nullable=True),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Index("ix_audit_item", "kind", "slug"),
)

webhooks = sa.Table(
    "webhooks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("events", sa.String(200), nullable=False),
    sa.Column("secret", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
)

deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("webhook_id", sa.ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False),
    sa.Column("event", sa.String(40), nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_status", sa.Integer, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    # The Standard Webhooks webhook-id ("msg_..."): one per delivery, the same on every retry.
    sa.Column("message_id", sa.String(40), nullable=True),
    sa.Index("ix_deliveries_due", "status", "next_attempt_at"),
)

# Secrets a rotation replaced: each still signs deliveries (beside webhooks.secret, the current
# one) until it expires, so receivers switch over without losing a delivery.
webhook_secrets = sa.Table(
    "webhook_secrets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("webhook_id", sa.ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False),
    sa.Column("secret", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_webhook_secrets_webhook", "webhook_id", "expires_at"),
)

# Rendered exports (handouts, email, pages) keyed by their ETag, for replicas without a shared
# disk: api/render_cache.py. A row never changes; a new ETag is a new row.
rendered = sa.Table(
    "rendered",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("media_type", sa.String(100), nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_rendered_created_at", "created_at"),
)

# Desk sign-ins: a random id in an HttpOnly cookie, stored hashed, standing for a token.
desk_sessions = sa.Table(
    "desk_sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),  # SHA-256 of the cookie's random id
    sa.Column("token_name", sa.String(100), nullable=False),  # the token signed in with
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),  # the forms' CSRF token
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_desk_sessions_expires", "expires_at"),
)

# Releases (issue 23): a named set of drafts published together, in one transaction. An entry
# names a translation (kind, slug, locale) and stands for its current draft; the publish checks
# that draft's review then. ``published_at`` set: the release is history and never changes.
releases = sa.Table(
    "releases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("published_by", sa.String(200), nullable=True),
)

release_entries = sa.Table(
    "release_entries",
    metadata,
    sa.Column("release_id", sa.ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("slug", sa.String(120), primary_key=True),
    sa.Column("locale", sa.String(10), primary_key=True),
    sa.Column("added_by", sa.String(200), nullable=False),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    # The version the release created for this entry, once published.
    sa.Column("version", sa.Integer, nullable=True),
)

# Full-text search lives in dialect-specific tables made by the migration:
# SQLite: FTS5 table search_fts(title, summary, body), rowid = items.id.
# PostgreSQL: search_documents(item_id, config, title, summary, body, document tsvector) + GIN
# index, where config is the text search configuration of the row's locale ('spanish', ...).

schedules = sa.Table(
    "schedules",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("action", sa.String(16), nullable=False),  # "publish", "archive"
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("slug", sa.String(120), nullable=False),
    sa.Column("locale", sa.String(10), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),  # UTC
    sa.Column("content_hash", sa.String(80), nullable=True),  # the draft scheduled (publish)
    sa.Column("state", sa.String(16), nullable=False),  # pending, done, failed, cancelled
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("ran_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("outcome", sa.Text, nullable=False, server_default=""),
    sa.Index("ix_schedules_due", "state", "at"),
)

review_events = sa.Table(
    "review_events",
    metadata,
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("slug", sa.String(120), primary_key=True),
    sa.Column("locale", sa.String(10), primary_key=True),
    sa.Column("event", sa.String(20), primary_key=True),  # "review.due", "review.overdue"
    sa.Column("next_review_on", sa.Date, primary_key=True),
    sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
)

# Uploaded images (issue 24, content/media.py): each named by the SHA-256 of its stored bytes,
# re-encoded without metadata; a row never changes. Variants are made once and kept beside them.
media_assets = sa.Table(
    "media_assets",
    metadata,
    sa.Column("hash", sa.String(64), primary_key=True),
    sa.Column("format", sa.String(8), nullable=False),  # png, jpeg, webp
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("bytes", sa.Integer, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Index("ix_media_assets_created_at", "created_at"),
)

media_variants = sa.Table(
    "media_variants",
    metadata,
    sa.Column("hash", sa.ForeignKey("media_assets.hash", ondelete="CASCADE"), primary_key=True),
    sa.Column("width", sa.Integer, primary_key=True),
    sa.Column("format", sa.String(8), primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# --- the desk for a whole working day (issue 21) ----------------------------------------------

# A discarded draft, kept 30 days so its editor can undo the discard (content.discards).
discarded_drafts = sa.Table(
    "discarded_drafts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("slug", sa.String(120), nullable=False),
    sa.Column("locale", sa.String(10), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),  # the draft's stored JSON form
    sa.Column("content_hash", sa.String(80), nullable=False),
    sa.Column("based_on_version", sa.Integer, nullable=False),  # 0: the item was never published
    sa.Column("editors", sa.Text, nullable=False, server_default="[]"),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("discarded_by", sa.String(200), nullable=False),
    sa.Column("discarded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("restored_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_discarded_drafts_item", "kind", "slug", "locale"),
)

# A one-time sign-in link for a person an admin invited: the link's code is stored as SHA-256.
invites = sa.Table(
    "invites",
    metadata,
    sa.Column("code_hash", sa.String(64), primary_key=True),
    sa.Column("token_name", sa.String(100), nullable=False),  # the account the link signs in as
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
)

# Comments on a translation's draft, shown in its review view (and kept in the audit log).
comments = sa.Table(
    "comments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("slug", sa.String(120), nullable=False),
    sa.Column("locale", sa.String(10), nullable=False),
    sa.Column("author", sa.String(100), nullable=False),  # token name
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_comments_item", "kind", "slug", "locale"),
)

# Keys the desk signs with (share links), made once at random and shared by every replica.
desk_keys = sa.Table(
    "desk_keys",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("secret", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
