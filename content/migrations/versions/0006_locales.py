"""Locales: an item is one translation, keyed (kind, slug, locale); pins and audit name theirs.

Search indexes each row in its own locale: PostgreSQL stems per row with the locale's text
search configuration ('spanish' for es); SQLite's FTS5 folds accents (``remove_diacritics 2``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# A frozen copy of content.locales.TEXT_SEARCH_CONFIGS as of this revision.
_CONFIGS = {"en": "english", "es": "spanish"}


def upgrade() -> None:
    # SQLite recreates the items table for the new key; env.py turns foreign keys off for
    # migrations, so dropping the old table does not cascade into versions and drafts.
    with op.batch_alter_table("items") as batch:
        batch.drop_constraint("uq_items_kind_slug", type_="unique")
        batch.create_unique_constraint("uq_items_kind_slug_locale", ["kind", "slug", "locale"])
    with op.batch_alter_table("pins") as batch:
        batch.add_column(sa.Column("locale", sa.String(10), nullable=True))
    # Until now (kind, slug) named one item: the pinned translation is that item's locale.
    op.execute(
        "UPDATE pins SET locale = (SELECT items.locale FROM items "
        "WHERE items.kind = pins.kind AND items.slug = pins.slug)"
    )
    op.execute("UPDATE pins SET locale = 'en' WHERE locale IS NULL")
    op.drop_index("ix_pins_target", "pins")
    with op.batch_alter_table("pins") as batch:
        batch.alter_column("locale", existing_type=sa.String(10), nullable=False)
    op.create_index("ix_pins_target", "pins", ["kind", "slug", "locale"])
    with op.batch_alter_table("audit") as batch:
        batch.add_column(sa.Column("locale", sa.String(10), nullable=True))
    op.execute("UPDATE audit SET locale = 'en' WHERE kind IS NOT NULL")
    if op.get_bind().dialect.name == "postgresql":
        _postgres_search()
    else:
        _sqlite_search("porter unicode61 remove_diacritics 2")


def _postgres_search() -> None:
    op.execute("ALTER TABLE search_documents ADD COLUMN config regconfig NOT NULL DEFAULT 'simple'")
    cases = " ".join(f"WHEN '{locale}' THEN '{config}'::regconfig" for locale, config in _CONFIGS.items())
    op.execute(
        f"UPDATE search_documents d SET config = CASE split_part(i.locale, '-', 1) {cases} "
        "ELSE 'simple'::regconfig END FROM items i WHERE i.id = d.item_id"
    )
    op.execute("DROP INDEX ix_search_documents")
    op.execute("ALTER TABLE search_documents DROP COLUMN document")
    op.execute(
        """
        ALTER TABLE search_documents ADD COLUMN document tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector(config, title), 'A')
            || setweight(to_tsvector(config, summary), 'B')
            || setweight(to_tsvector(config, body), 'C')
        ) STORED
        """
    )
    op.execute("CREATE INDEX ix_search_documents ON search_documents USING gin (document)")


def _sqlite_search(tokenizer: str) -> None:
    op.execute("ALTER TABLE search_fts RENAME TO search_fts_old")
    op.execute(f"CREATE VIRTUAL TABLE search_fts USING fts5(title, summary, body, tokenize='{tokenizer}')")
    op.execute(
        "INSERT INTO search_fts (rowid, title, summary, body) "
        "SELECT rowid, title, summary, body FROM search_fts_old"
    )
    op.execute("DROP TABLE search_fts_old")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_search_documents")
        op.execute("ALTER TABLE search_documents DROP COLUMN document")
        op.execute("ALTER TABLE search_documents DROP COLUMN config")
        op.execute(
            """
            ALTER TABLE search_documents ADD COLUMN document tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('english', title), 'A')
                || setweight(to_tsvector('english', summary), 'B')
                || setweight(to_tsvector('english', body), 'C')
            ) STORED
            """
        )
        op.execute("CREATE INDEX ix_search_documents ON search_documents USING gin (document)")
    else:
        _sqlite_search("porter unicode61")
    with op.batch_alter_table("audit") as batch:
        batch.drop_column("locale")
    op.drop_index("ix_pins_target", "pins")
    with op.batch_alter_table("pins") as batch:
        batch.drop_column("locale")
    op.create_index("ix_pins_target", "pins", ["kind", "slug"])
    with op.batch_alter_table("items") as batch:
        batch.drop_constraint("uq_items_kind_slug_locale", type_="unique")
        batch.create_unique_constraint("uq_items_kind_slug", ["kind", "slug"])
