"""Preview links to a draft for someone without an account: signed, expiring, read-only.

A link's token is its payload (kind, slug, locale, the version the draft is based on, when it was
made, expiry and a random nonce) as base64url JSON, a dot, and the payload's HMAC-SHA256 under a
desk key. The key is made at random on first use and kept in ``desk_keys``, so every replica signs
and checks with the same one: the first to insert it wins, the others read it back. A link shows
the draft as it is when opened; once that draft is published or discarded the link has nothing to
show, even when a new draft is begun from the same version later (or the discarded one brought
back: a new link is one click).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import secrets

import msgspec
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from content import model
from content.audit import record
from content.db import desk_keys, discarded_drafts, retried, utcnow, writer
from content.editorial import Editorial
from content.errors import InvalidInput

KEY_NAME = "share-links"
DEFAULT_DAYS = 7
MIN_DAYS, MAX_DAYS = 1, 30
ACTION = "share_draft"  # the audit log's action for a new link


class ShareLink(msgspec.Struct, frozen=True, kw_only=True):
    """What a link's token says: which draft, from which version on, until when."""

    kind: model.Kind
    slug: str
    locale: str
    based_on: int  # the draft the link was made for: a later draft is another one
    issued: float  # Unix seconds: a discard of the translation after this ends the link
    expires: int  # Unix seconds
    nonce: str

    @property
    def issued_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.issued, dt.UTC)

    @property
    def expires_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.expires, dt.UTC)

    def expired(self, now: dt.datetime | None = None) -> bool:
        return (now or utcnow()).timestamp() >= self.expires


class BadLink(Exception):
    """The token was not made here, or was changed: nothing it names may be shown."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, link: ShareLink) -> str:
    payload = _b64(msgspec.json.encode(link))
    mac = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{_b64(mac)}"


def verify(key: bytes, token: str) -> ShareLink:
    """The link a token stands for, if this desk signed it unchanged; else BadLink."""
    payload, _, signature = token.partition(".")
    expected = _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())
    if not signature or not hmac.compare_digest(signature.encode(), expected.encode()):
        raise BadLink(token)
    try:
        return msgspec.json.decode(_unb64(payload), type=ShareLink)
    except (msgspec.DecodeError, binascii.Error, ValueError):
        raise BadLink(token) from None


def valid_days(text: str) -> int:
    """The form's "Valid for" as whole days, 1 to 30; InvalidInput says what is allowed."""
    if not text.strip().isdigit() or not MIN_DAYS <= int(text) <= MAX_DAYS:
        raise InvalidInput("days", f"a whole number of days from {MIN_DAYS} to {MAX_DAYS}")
    return int(text)


class ShareLinks:
    """Makes and checks preview links with the desk's key."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._key: bytes | None = None

    async def key(self) -> bytes:
        """The desk's signing key: made at random once, the same for every replica."""
        if self._key is None:
            secret = await self._stored()
            if secret is None:
                try:
                    async with writer(self.engine).begin() as conn:
                        made = {"name": KEY_NAME, "secret": secrets.token_urlsafe(48), "created_at": utcnow()}
                        await conn.execute(desk_keys.insert().values(**made))
                except IntegrityError:
                    pass  # another replica made it first: theirs is the key
                secret = await self._stored()
            assert secret is not None
            self._key = secret.encode()
        return self._key

    @retried
    async def _stored(self) -> str | None:
        async with self.engine.connect() as conn:
            query = sa.select(desk_keys.c.secret).where(desk_keys.c.name == KEY_NAME)
            secret: str | None = (await conn.execute(query)).scalar_one_or_none()
        return secret

    async def create(
        self,
        kind: model.Kind,
        slug: str,
        locale: str,
        based_on: int,
        days: int,
        actor: str,
        *,
        now: dt.datetime | None = None,
    ) -> tuple[ShareLink, str]:
        """A new link valid for ``days`` (negative only in tests), recorded in the audit log."""
        now = now or utcnow()
        expires = now + dt.timedelta(days=days)
        link = ShareLink(
            kind=kind,
            slug=slug,
            locale=locale,
            based_on=based_on,
            issued=now.timestamp(),
            expires=int(expires.timestamp()),
            nonce=secrets.token_urlsafe(12),
        )
        token = sign(await self.key(), link)
        async with writer(self.engine).begin() as conn:
            detail = f"preview link valid until {link.expires_at:%Y-%m-%d %H:%M} UTC ({link.nonce})"
            await record(conn, actor, ACTION, kind, slug, None, None, None, detail, locale=locale)
        return link, token

    @classmethod
    def of(cls, editorial: Editorial) -> ShareLinks:
        """Links over the editorial store's database."""
        return cls(editorial.store.engine)

    async def check(self, token: str) -> ShareLink:
        """The link, signature checked (BadLink); the caller checks expiry and the draft."""
        return verify(await self.key(), token)

    @retried
    async def outlived(self, link: ShareLink) -> bool:
        """Whether the draft the link was made for was discarded since: what is there now is another."""
        query = (
            sa.select(discarded_drafts.c.id)
            .where(
                discarded_drafts.c.kind == link.kind,
                discarded_drafts.c.slug == link.slug,
                discarded_drafts.c.locale == link.locale,
                discarded_drafts.c.discarded_at >= link.issued_at,
            )
            .limit(1)
        )
        async with self.engine.connect() as conn:
            return (await conn.execute(query)).first() is not None
