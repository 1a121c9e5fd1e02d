"""How items are stored: their hashed form, decoding, sign-offs read back, and list cursors."""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, cast

import msgspec

from content import model
from content.db import as_utc
from content.errors import InvalidInput
from content.locales import DEFAULT_LOCALE

_content_decoder = msgspec.json.Decoder(model.Content)


def content_hash(item: model.Content) -> str:
    """Hash of the item's stored form: what an editor wrote, without derived fields or review."""
    return "sha256:" + hashlib.sha256(msgspec.json.encode(stored_form(item))).hexdigest()


def stored_form(item: model.Content) -> model.Content:
    """The item as it is stored and hashed: a review is never part of the content it covers."""
    return item if item.review is None else msgspec.structs.replace(item, review=None)


def decode_content(raw: bytes) -> model.Content:
    """A stored item; versions stored before migration 0007 carried a review inline, dropped here."""
    content: model.Content = _content_decoder.decode(raw)
    return stored_form(content)


@dataclass(frozen=True, slots=True)
class VersionKey:
    """Identifies one stored version: its row id (a cache key) and its number."""

    id: int
    kind: model.Kind
    slug: str
    number: int
    locale: str = DEFAULT_LOCALE


@dataclass(frozen=True, slots=True)
class StoredVersion:
    key: VersionKey
    content: model.Content
    info: model.VersionInfo
    pins: tuple[model.ItemRef, ...] = ()  # the exact versions it embeds


def embedded_refs(item: model.Content) -> list[tuple[model.Kind, str]]:
    """(kind, slug) of each distinct item the body embeds, in order of first appearance."""
    found: list[tuple[model.Kind, str]] = []
    for block in item.body if isinstance(item, model.Article) else []:
        embedded = block.embeds()
        if embedded is not None and (ref := cast("tuple[model.Kind, str]", embedded)) not in found:
            found.append(ref)
    return found


def review_of(row: Any) -> model.Review:
    """The sign-off a version (or draft) row records; unreviewed when it has none."""
    if row.reviewed_by is None:
        return model.Review(next_review_on=row.next_review_on)
    return model.Review(
        reviewed_by=row.reviewed_by,
        credentials=row.reviewer_credentials,
        reviewed_on=row.reviewed_on,
        reviewed_at=as_utc(row.reviewed_at) if row.reviewed_at else None,
        reviewed_hash=row.reviewed_hash,
        next_review_on=row.next_review_on,
    )


def version_info(row: Any) -> model.VersionInfo:
    return model.VersionInfo(
        version=row.number,
        published_at=as_utc(row.published_at),
        author=row.author,
        note=row.note,
        content_hash=row.content_hash,
        review=review_of(row),
    )


def encode_cursor(after: str | int) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode({"after": after})).decode().rstrip("=")


class _Cursor(msgspec.Struct, forbid_unknown_fields=True):
    # Bounded like the values cursors are made of (slugs, 32-bit ids): a forged one is a 400.
    after: (
        Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9-]*$", max_length=120)]
        | Annotated[int, msgspec.Meta(ge=0, le=2**31 - 1)]
    )


def decode_cursor(cursor: str) -> str | int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return msgspec.json.decode(raw, type=_Cursor).after
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise InvalidInput("cursor", "The cursor is not one this API issued.") from None


def in_locales(locales: Sequence[str]) -> str:
    """`` in es`` for messages, unless only the default locale was asked for."""
    return "" if list(locales) == [DEFAULT_LOCALE] else " in " + " or ".join(locales)


def in_locale(locale: str) -> str:
    """`` in es`` for messages about one translation; nothing for the default locale."""
    return in_locales([locale])
