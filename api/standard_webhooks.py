"""The Standard Webhooks wire format (https://www.standardwebhooks.com): secrets, bodies, headers.

A secret is ``whsec_`` and the base64 of its key bytes (32 random bytes for a new one). A
delivery carries ``webhook-id`` (``msg_…``, the same on every retry of one delivery: the
receiver's idempotency key), ``webhook-timestamp`` (integer seconds of this attempt) and
``webhook-signature``: ``v1,`` and the base64 HMAC-SHA256 of ``{id}.{timestamp}.{body}`` under
each secret that is valid now, space-separated (two during a rotation's grace period).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence

import msgspec

from content import model
from content.changes import Event
from content.locales import DEFAULT_LOCALE

SECRET_PREFIX = "whsec_"
KEY_BYTES = 32


class VersionData(model.Wire, kw_only=True):
    """The ``data`` of a version announcement (published, restored, archived)."""

    kind: model.Kind
    slug: str
    locale: model.Locale = DEFAULT_LOCALE
    version: int
    content_hash: str | None


class Body(msgspec.Struct, kw_only=True):
    """Every delivery's JSON body: the event, when it happened, and what it is about."""

    type: Event
    timestamp: dt.datetime
    data: object  # a VersionData, or a Notice's JSON object


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def legacy_secret(old: str) -> str:
    """An X-Folio-Signature secret in whsec_ form: its key bytes are the old secret's UTF-8 bytes,
    so receivers sign with the same key as before (migration 0010 stores this form)."""
    return SECRET_PREFIX + base64.b64encode(old.encode()).decode()


def key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)


def new_message_id() -> str:
    return "msg_" + secrets.token_hex(16)


def body(event: Event, at: dt.datetime, data: VersionData | Mapping[str, object]) -> bytes:
    return msgspec.json.encode(
        Body(type=event, timestamp=at, data=data if isinstance(data, VersionData) else dict(data))
    )


def signature(secret: str, message_id: str, timestamp: int, payload: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + payload
    return "v1," + base64.b64encode(hmac.new(key(secret), signed, hashlib.sha256).digest()).decode()


def headers(message_id: str, timestamp: int, payload: bytes, signing: Sequence[str]) -> dict[str, str]:
    """The request headers of one attempt, signed with every secret in ``signing``."""
    return {
        "Content-Type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, message_id, timestamp, payload) for s in signing),
    }
