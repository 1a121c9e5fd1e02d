"""Releases: named sets of drafts across items and locales, previewed and published together.

Roles as for drafts: a reader sees releases and their previews; an editor creates, renames and
deletes them and adds or removes drafts; a publisher publishes one (all or nothing: 409 naming
each entry that is not reviewed, changed after its review, or has no draft).
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import JSONBody, Parameter
from msgspec import Meta

import exporters
from api.auth import BEARER_SECURITY, requires
from api.caching import NO_STORE, Encoded, send
from api.controllers.params import EspParam, IdParam, PaperParam, SizeParam, SlugParam
from api.deps import EditorialDep, ExportsDep, PrincipalDep, ReaderDep
from api.locales import LOCALE_PATTERN, WriteLocaleParam
from api.problems import WRITE_PROBLEMS
from api.reader import today
from api.release_previews import Key, release_bundle
from content import model
from content.accounts import Role
from content.editorial import Draft, Editorial
from content.errors import NotFound
from content.locales import DEFAULT_LOCALE, canonical
from content.options import DEFAULT_ESP, DEFAULT_SIZE
from content.releases import Release, ReleaseSummary
from exporters.web import PageOptions

KindParam = Annotated[model.Kind, Parameter(description="The kind of item: article, faq or comparison.")]
Name = Annotated[str, Meta(min_length=1, max_length=200, pattern=model.SINGLE_LINE)]


class ReleaseInput(model.Wire, kw_only=True):
    name: Name


class EntryInput(model.Wire, kw_only=True):
    """A translation whose current draft joins the release."""

    type: model.Kind
    slug: model.Slug
    locale: Annotated[str, Meta(pattern=LOCALE_PATTERN)] = DEFAULT_LOCALE


class ReleasePublishInput(model.Wire, kw_only=True):
    note: Annotated[str, Meta(max_length=1000, pattern=model.TEXT)] = ""


class ReleaseList(model.Wire, kw_only=True):
    releases: list[ReleaseSummary]


def private(request: Request[Any, Any, Any], body: object, status: int = 200) -> Response[Any]:
    response = send(request, Encoded.of(body), NO_STORE)
    response.status_code = status if response.status_code == 200 else response.status_code
    return response


def _opts(role: Role, operation: str, summary: str, status: int = 200) -> dict[str, Any]:
    return {
        "guards": [requires(role)],
        "operation_id": operation,
        "summary": summary,
        "status_code": status,
        "responses": WRITE_PROBLEMS,
    }


async def _drafts(editorial: Editorial, release_id: int) -> dict[Key, Draft]:
    """The current draft of each entry of the release that has one."""
    release = await editorial.releases.get(release_id)
    found: dict[Key, Draft] = {}
    for e in release.entries:
        if e.draft_revision is not None:
            found[(e.type, e.slug, e.locale)] = await editorial.get(e.type, e.slug, e.locale)
    return found


async def _preview(
    editorial: Editorial, release_id: int, kind: model.Kind, slug: str, locale: str
) -> tuple[Draft, dict[Key, Draft]]:
    drafts = await _drafts(editorial, release_id)
    draft = drafts.get((kind, slug, canonical(locale)))
    if draft is None:
        raise NotFound(f"Release {release_id} has no draft of {kind} {slug!r} ({canonical(locale)}).")
    return draft, drafts


PREVIEW = "/{release_id:int}/preview/{kind:str}/{slug:str}"


class ReleaseController(Controller):
    path = "/v1/releases"
    tags = ["releases"]
    security = BEARER_SECURITY

    @post("/", **_opts("editor", "createRelease", "Create a release", 201))
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ReleaseInput],
        editorial: EditorialDep,
        principal: PrincipalDep,
    ) -> Response[Release]:
        """An empty release; add drafts to it."""
        release = await editorial.releases.create(data.name, principal.name)
        response = private(request, release, 201)
        response.headers["Location"] = f"/v1/releases/{release.id}"
        return response

    @get("/", **_opts("reader", "listReleases", "List releases"))
    async def list_releases(
        self, request: Request[Any, Any, Any], editorial: EditorialDep
    ) -> Response[ReleaseList]:
        """Unpublished releases first, newest first."""
        return private(request, ReleaseList(releases=await editorial.releases.summaries()))

    @get("/{release_id:int}", **_opts("reader", "getRelease", "A release, its review state and diffs"))
    async def read(
        self, request: Request[Any, Any, Any], editorial: EditorialDep, release_id: IdParam
    ) -> Response[Release]:
        """Each entry's draft revision, review state and diff against the published version."""
        return private(request, await editorial.releases.get(release_id))

    @patch("/{release_id:int}", **_opts("editor", "renameRelease", "Rename a release"))
    async def rename(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ReleaseInput],
        editorial: EditorialDep,
        principal: PrincipalDep,
        release_id: IdParam,
    ) -> Response[Release]:
        return private(request, await editorial.releases.rename(release_id, data.name, principal.name))

    @delete("/{release_id:int}", **_opts("editor", "deleteRelease", "Delete an unpublished release", 204))
    async def remove(self, editorial: EditorialDep, principal: PrincipalDep, release_id: IdParam) -> None:
        """Its drafts stay as they are; a published release is history and is never deleted."""
        await editorial.releases.delete(release_id, principal.name)

    @post("/{release_id:int}/entries", **_opts("editor", "addReleaseEntry", "Add a draft to a release"))
    async def add(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[EntryInput],
        editorial: EditorialDep,
        principal: PrincipalDep,
        release_id: IdParam,
    ) -> Response[Release]:
        """The translation's current draft, as it is when the release is published."""
        locale = canonical(data.locale)
        release = await editorial.releases.add(release_id, data.type, data.slug, locale, principal.name)
        return private(request, release)

    @delete(
        "/{release_id:int}/entries/{kind:str}/{slug:str}",
        **_opts("editor", "removeReleaseEntry", "Remove a draft from a release"),
    )
    async def drop(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        principal: PrincipalDep,
        release_id: IdParam,
        kind: KindParam,
        slug: SlugParam,
        locale: WriteLocaleParam = DEFAULT_LOCALE,
    ) -> Response[Release]:
        release = await editorial.releases.remove(release_id, kind, slug, canonical(locale), principal.name)
        return private(request, release)

    @post("/{release_id:int}/publish", **_opts("publisher", "publishRelease", "Publish a release"))
    async def publish(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        principal: PrincipalDep,
        release_id: IdParam,
        data: JSONBody[ReleasePublishInput | None] = None,
    ) -> Response[Release]:
        """Every draft in one transaction, embedded items first, or nothing (409 says why)."""
        note = data.note if data else ""
        return private(request, await editorial.publish_release(release_id, principal.name, note))

    @get(PREVIEW + "/page", **_opts("reader", "previewReleasePage", "A release draft as its page"))
    async def preview_page(
        self,
        editorial: EditorialDep,
        reader: ReaderDep,
        exports: ExportsDep,
        release_id: IdParam,
        kind: KindParam,
        slug: SlugParam,
        locale: WriteLocaleParam = DEFAULT_LOCALE,
    ) -> Response[str]:
        """The patient page as it will be once the release is published, its embeds included."""
        draft, drafts = await _preview(editorial, release_id, kind, slug, locale)
        bundle = await release_bundle(reader, draft, drafts)
        options = PageOptions(exports.public_url, draft.info.based_on_version, today())
        html = exporters.render("web", "html", [bundle], options).decode()
        return Response(html, media_type="text/html", headers={"Cache-Control": NO_STORE})

    @get(
        PREVIEW + "/handout.pdf", **_opts("reader", "previewReleaseHandout", "A release draft as its handout")
    )
    async def preview_handout(
        self,
        editorial: EditorialDep,
        reader: ReaderDep,
        exports: ExportsDep,
        release_id: IdParam,
        kind: KindParam,
        slug: SlugParam,
        paper: PaperParam = None,
        size: SizeParam = DEFAULT_SIZE,
        locale: WriteLocaleParam = DEFAULT_LOCALE,
    ) -> Response[bytes]:
        """The handout PDF as it will print once the release is published."""
        draft, drafts = await _preview(editorial, release_id, kind, slug, locale)
        bundle = await release_bundle(reader, draft, drafts)
        rendered = await exports.render("pdf", "pdf", [bundle], exports.handout_options(paper, size))
        return Response(rendered.body, media_type=rendered.media_type, headers={"Cache-Control": NO_STORE})

    @get(PREVIEW + "/email", **_opts("reader", "previewReleaseEmail", "A release draft as its email"))
    async def preview_email(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        reader: ReaderDep,
        exports: ExportsDep,
        release_id: IdParam,
        kind: KindParam,
        slug: SlugParam,
        esp: EspParam = DEFAULT_ESP,
        locale: WriteLocaleParam = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """The email (subject, preheader, HTML, plain text) as it will be once published."""
        draft, drafts = await _preview(editorial, release_id, kind, slug, locale)
        bundle = await release_bundle(reader, draft, drafts)
        document = msgspec.json.decode(
            exporters.render("email", "json", [bundle], exports.email_options(esp))
        )
        return private(request, document)
