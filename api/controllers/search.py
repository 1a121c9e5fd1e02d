"""Full-text search across every kind of published item, in the negotiated locale."""

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.params import Parameter

from api.caching import Encoded, send, tagged
from api.controllers.params import line
from api.deps import ReaderDep, WantedDep
from api.locales import language_headers
from api.problems import READ_PROBLEMS
from content import model
from content.cache_tags import search_tag
from content.locales import DEFAULT_LOCALE
from content.store import SearchHit


class SearchResults(model.Wire, kw_only=True):
    query: str
    results: list[SearchHit]
    locale: model.Locale = DEFAULT_LOCALE  # the translations searched (Spanish stemming for es)


class SearchController(Controller):
    path = "/v1/search"
    tags = ["search"]

    @get("/", operation_id="search", summary="Search published content", responses=READ_PROBLEMS)
    async def search(
        self,
        request: Request[Any, Any, Any],
        reader: ReaderDep,
        wanted: WantedDep,
        q: Annotated[str, line(200, "Words to find.", min_length=1)],
        type: Annotated[model.Kind | None, Parameter(description="Only this kind.")] = None,
        limit: Annotated[int, Parameter(ge=1, le=50)] = 20,
    ) -> Response[SearchResults]:
        """Ranked matches among one locale's translations; ``snippetHtml`` marks the matched words."""
        hits = await reader.search(q, kind=type, limit=limit, locale=wanted.searched)
        body = SearchResults(query=q, results=hits, locale=wanted.searched)
        response = tagged(
            send(request, Encoded.of(body), reader.cache_control), [search_tag(wanted.searched)]
        )
        return language_headers(response, [wanted.searched])
