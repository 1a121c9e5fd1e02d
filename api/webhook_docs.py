"""The OpenAPI ``webhooks`` section: what a receiver gets for each event (api.standard_webhooks)."""

from __future__ import annotations

from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    PathItem,
    Reference,
    RequestBody,
    Schema,
)
from litestar.openapi.spec import OpenAPIMediaType as MediaType

from content.changes import EVENTS, Event

VERSION_EVENTS: tuple[Event, ...] = ("published", "restored", "archived")
STRING = Schema(type=OpenAPIType.STRING)

HEADERS = (
    (
        "webhook-id",
        "msg_...: the same on every attempt of one delivery; the receiver's idempotency key.",
    ),
    ("webhook-timestamp", "Seconds since the epoch when this attempt was sent; refuse it when > 5 min off."),
    (
        "webhook-signature",
        'v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}"> under the key in the '
        "whsec_ secret (base64 after the prefix); space-separated, one per valid secret (two "
        "while a rotated secret's grace period lasts).",
    ),
)

VERSION_DATA = Schema(
    type=OpenAPIType.OBJECT,
    required=["kind", "slug", "locale", "version", "contentHash"],
    properties={
        "kind": Schema(type=OpenAPIType.STRING, enum=["article", "faq", "comparison"]),
        "slug": STRING,
        "locale": STRING,
        "version": Schema(type=OpenAPIType.INTEGER),
        "contentHash": Schema(one_of=[STRING, Schema(type=OpenAPIType.NULL)]),
    },
)


# What a purge carries: the cache tags to purge (README, Behind a CDN).
PURGE_DATA = Schema(
    type=OpenAPIType.OBJECT,
    required=["tags"],
    properties={"tags": Schema(type=OpenAPIType.ARRAY, items=STRING, min_items=1)},
)


# What entering a desk queue carries (content.queues): which queue, the draft, who, and its desk page.
QUEUE_DATA = Schema(
    type=OpenAPIType.OBJECT,
    required=["queue", "kind", "slug", "locale", "title", "by", "url"],
    properties={
        "queue": Schema(
            type=OpenAPIType.STRING,
            enum=["review", "publish", "comments"],
            description="review: a draft waits for a reviewer's sign-off; publish: a signed-off "
            "draft waits for a publisher; comments: a comment waits for the draft's editors.",
        ),
        "kind": Schema(type=OpenAPIType.STRING, enum=["article", "faq", "comparison"]),
        "slug": STRING,
        "locale": STRING,
        "title": STRING,
        "by": Schema(type=OpenAPIType.STRING, description="Who put it there, as staff know them."),
        "url": Schema(
            type=OpenAPIType.STRING,
            description="The draft's desk page: under FOLIO_PUBLIC_URL, or a path when it is unset.",
        ),
    },
)


def _operation(event: Event) -> Operation:
    data = (
        VERSION_DATA
        if event in VERSION_EVENTS
        else PURGE_DATA
        if event == "cache.purge"
        else QUEUE_DATA
        if event == "queue.entered"
        else Schema(type=OpenAPIType.OBJECT, description="The JSON object the event carries.")
    )
    body = Schema(
        type=OpenAPIType.OBJECT,
        required=["type", "timestamp", "data"],
        properties={
            "type": Schema(type=OpenAPIType.STRING, const=event),
            "timestamp": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE_TIME),
            "data": data,
        },
    )
    return Operation(
        operation_id=f"webhook-{event.replace('.', '-')}",
        summary=f"The {event} event (Standard Webhooks)",
        parameters=[
            Parameter(name=name, param_in="header", required=True, description=text, schema=STRING)
            for name, text in HEADERS
        ],
        request_body=RequestBody(content={"application/json": MediaType(schema=body)}, required=True),
        responses={
            "2XX": OpenAPIResponse(
                description="Received. Any other answer, or none, is retried with doubling backoff "
                "(up to 8 attempts) with the same webhook-id and body."
            )
        },
    )


WEBHOOKS: dict[str, PathItem | Reference] = {event: PathItem(post=_operation(event)) for event in EVENTS}
