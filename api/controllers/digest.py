"""A newsletter built from several published items."""

from typing import Annotated, Literal

from litestar import Controller, Response, post
from litestar.params import JSONBody
from msgspec import Meta

from api.caching import NO_STORE
from api.deps import DocumentsDep, EmailsDep
from api.emails import EmailDocument
from api.problems import READ_PROBLEMS
from content import model


class DigestInput(model.Wire, kw_only=True):
    """What goes into a newsletter: a subject, an intro and up to 20 items."""

    subject: model.Line
    intro: Annotated[str, Meta(min_length=1, max_length=2000, pattern=model.TEXT)]
    items: Annotated[list[model.ItemRef], Meta(min_length=1, max_length=20)]
    esp: Literal["mailchimp", "sendgrid", "postmark", "none"] = "none"


class DigestController(Controller):
    path = "/v1/emails"
    tags = ["email"]

    @post("/digest", operation_id="buildDigest", summary="Build a newsletter", responses=READ_PROBLEMS)
    async def digest(
        self, data: JSONBody[DigestInput], documents: DocumentsDep, emails: EmailsDep
    ) -> Response[EmailDocument]:
        """An intro and a card per item with its summary and a link, in the email JSON shape."""
        items = [(await documents.get(e.type, e.slug, e.version)).value for e in data.items]
        encoded = emails.digest(items, data.subject, data.intro, data.esp)
        headers = {"Cache-Control": NO_STORE}
        return Response(encoded.body, media_type="application/json", headers=headers)  # type: ignore[arg-type]
