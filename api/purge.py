"""The purgers: how a ``cache.purge`` stored by a publish reaches the caches in front of Folio.

Each publishing transaction stores one ``cache.purge`` notice (``Publishing.committing``) naming
every tag it touched (``content.cache_tags``). The outbox turns it into one delivery per receiver
of that event, in the same transaction, so a purge is never lost and is retried with backoff
like any webhook:

- the generic purger is any webhook subscribed to ``cache.purge``: its body lists the tags,
  for a CDN's purge API (Fastly surrogate keys, Cloudflare cache tags) or a script;
- the built-in Varnish purger: each ``FOLIO_PURGE_VARNISH`` address is registered at start-up as
  a receiver whose URL starts ``varnish+`` (``Webhooks.built_in``); the webhook worker sends its
  deliveries here instead of POSTing them: ``PURGE /`` with the tags, space-separated, in an
  ``xkey-purge`` header, which ``deploy/varnish/folio.vcl`` hands to ``xkey.purge``.

Riding the outbox rather than sending after commit costs up to one poll interval
(``FOLIO_WEBHOOK_POLL_SECONDS``) but survives a crash between commit and send, a Varnish being
restarted, and replicas (one claims each delivery); its log is the receiver's delivery log.
"""

from __future__ import annotations

import httpx
import msgspec

BUILT_IN = "varnish+"


class PurgeData(msgspec.Struct):
    tags: list[str]


class PurgeBody(msgspec.Struct):
    """What the outbox stored: the Standard Webhooks body, ``{type, timestamp, data: {tags}}``."""

    data: PurgeData


# Varnish refuses request headers beyond http_req_hdr_len (8 KiB by default): long purges are split.
MAX_HEADER = 6000


def chunks(tags: list[str], limit: int = MAX_HEADER) -> list[str]:
    """The tags as space-separated header values, each at most ``limit`` characters."""
    values: list[str] = []
    current = ""
    for tag in tags:
        if current and len(current) + 1 + len(tag) > limit:
            values.append(current)
            current = ""
        current = f"{current} {tag}" if current else tag
    return [*values, current] if current else values


async def purge_varnish(client: httpx.AsyncClient, url: str, payload: bytes) -> int:
    """Send a stored ``cache.purge`` to the Varnish at ``url``; the status it answered (the last
    one, or the first that was not 200)."""
    body = msgspec.json.decode(payload, type=PurgeBody)
    tags = body.data.tags
    if not tags:  # every purge names at least one item: none is a body this purger cannot read
        raise ValueError("a cache.purge delivery without tags")
    status = 200
    for value in chunks(tags):
        response = await client.request("PURGE", url.rstrip("/") + "/", headers={"xkey-purge": value})
        status = response.status_code
        if status != 200:
            break
    return status
