"""Webhooks follow the Standard Webhooks specification: whsec_ secrets, rotation, message ids.

- ``webhooks.secret`` becomes the whsec_ form of the same key: ``whsec_`` + base64 of the old
  secret's UTF-8 bytes. A receiver verifying with the standard libraries computes the HMAC with
  exactly the key it used before, and can derive the new form of its secret itself.
- ``webhook_secrets`` holds secrets a rotation replaced, each valid until it expires.
- ``deliveries.message_id`` is the ``webhook-id`` of each delivery; existing rows get
  ``msg_folio<id>``.
- Deliveries still pending get their body in the new form ``{type, timestamp, data}``, so what is
  sent after the upgrade is what the receiver now expects.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-06
"""

import base64
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

VERSION_FIELDS = {"type": "kind", "slug": "slug", "locale": "locale", "version": "version"}


def _new_body(old: dict[str, Any]) -> dict[str, Any]:
    event, at = old.pop("event"), old.pop("at")
    if "contentHash" in old and "slug" in old:  # a version announcement
        data = {new: old[name] for name, new in VERSION_FIELDS.items() if name in old}
        data["contentHash"] = old["contentHash"]
    else:  # a notice: everything else was its data
        data = old
    return {"type": event, "timestamp": at, "data": data}


def upgrade() -> None:
    op.add_column("deliveries", sa.Column("message_id", sa.String(40), nullable=True))
    op.create_table(
        "webhook_secrets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("webhook_id", sa.Integer, sa.ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_webhook_secrets_webhook", "webhook_secrets", ["webhook_id", "expires_at"])
    conn = op.get_bind()
    hooks = sa.table("webhooks", sa.column("id", sa.Integer), sa.column("secret", sa.String))
    for hook_id, secret in conn.execute(sa.select(hooks.c.id, hooks.c.secret)).all():
        wrapped = "whsec_" + base64.b64encode(secret.encode()).decode()
        conn.execute(hooks.update().where(hooks.c.id == hook_id).values(secret=wrapped))
    rows = sa.table(
        "deliveries",
        sa.column("id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("payload", sa.LargeBinary),
        sa.column("message_id", sa.String),
    )
    conn.execute(rows.update().values(message_id=sa.literal("msg_folio") + sa.cast(rows.c.id, sa.String)))
    pending = conn.execute(sa.select(rows.c.id, rows.c.payload).where(rows.c.status == "pending")).all()
    for row_id, payload in pending:
        body = json.dumps(_new_body(json.loads(payload)), separators=(",", ":")).encode()
        conn.execute(rows.update().where(rows.c.id == row_id).values(payload=body))


def downgrade() -> None:
    # Secrets stay in whsec_ form and bodies in the new form: their old form is not kept.
    op.drop_index("ix_webhook_secrets_webhook", "webhook_secrets")
    op.drop_table("webhook_secrets")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("message_id")
