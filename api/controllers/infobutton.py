"""``GET /infobutton``: HL7 URL-based Infobutton requests, answered as MedlinePlus Connect answers them.

An EHR that uses MedlinePlus Connect changes only its base URL. Parameters Folio does not use
(task context, the patient's age or gender, ...) are ignored, as Infobutton services do; a bad
value of one it uses is a 400 in the format asked for (``application/problem+json``, or RFC 9457's
``application/problem+xml`` for ``text/xml``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.params import QueryParameter

from api.caching import Encoded, send, tagged
from api.deps import ChartDep, SettingsDep
from api.infobutton import JSON, RESPONSE_TYPES, XML, Entry, Feed, as_json, atom, xml_problem
from api.locales import locales_of
from api.problems import READ_PROBLEMS, problem
from api.response_store import store_until
from content import codes
from content.cache_tags import CHART
from content.errors import InvalidInput


def _param(name: str, description: str) -> Any:
    # Checked in _feed, not by Litestar: an error must come in the format the request asked for.
    return QueryParameter(name=name, description=description, required=False)


class InfobuttonController(Controller):
    path = "/infobutton"
    tags = ["infobutton"]

    @get(
        "/",
        operation_id="infobutton",
        summary="HL7 Infobutton knowledge request",
        media_type=XML,
        responses={400: READ_PROBLEMS[400]},
    )
    async def infobutton(
        self,
        request: Request[Any, Any, Any],
        chart: ChartDep,
        settings: SettingsDep,
        code: Annotated[str | None, _param("mainSearchCriteria.v.c", "The code (required): `6130`.")] = None,
        system: Annotated[
            str | None,
            _param(
                "mainSearchCriteria.v.cs",
                "The code system's OID (required): "
                + ", ".join(f"{s.name} `{s.oid}`" for s in codes.SYSTEMS),
            ),
        ] = None,
        display: Annotated[
            str | None, _param("mainSearchCriteria.v.dn", "The code's display name; echoed in the subtitle.")
        ] = None,
        recipient: Annotated[
            str | None, _param("informationRecipient", "`PAT` (patient, the default) or `PROV` (provider).")
        ] = None,
        language: Annotated[
            str | None,
            _param(
                "informationRecipient.languageCode.c",
                "`en` (default) or `es`; an item without that translation comes in the one it falls "
                "back to, and its entry says so (category `urn:folio:fallbackFrom`).",
            ),
        ] = None,
        response_type: Annotated[
            str | None,
            _param("knowledgeResponseType", "`text/xml` (Atom, the default) or `application/json`."),
        ] = None,
    ) -> Response[bytes]:
        """Published items carrying the code: title, summary, version, links to page and handout."""
        wanted = response_type or XML
        try:
            if wanted not in RESPONSE_TYPES:
                raise InvalidInput("knowledgeResponseType", f"Use one of {', '.join(RESPONSE_TYPES)}.")
            feed = await _feed(request, chart, settings, code, system, display, recipient, language)
        except InvalidInput as exc:
            if wanted == JSON:
                return problem(400, exc.detail, path=request.url.path)
            body = xml_problem(400, "Bad Request", exc.detail, exc.field)
            return Response(body, status_code=400, media_type="application/problem+xml")
        body = as_json(feed) if wanted == JSON else atom(feed)
        media_type = JSON if wanted == JSON else f"{XML}; charset=utf-8"
        response = tagged(send(request, Encoded.of(body, media_type), chart.cache_control), [CHART])
        response.headers["Content-Language"] = ", ".join(
            dict.fromkeys([e.version.locale for e in feed.entries] or [feed.language])
        )
        store_until(request.scope, chart.fresh_until(files=False))
        return response


def _code(code: str | None, system_oid: str | None) -> tuple[codes.CodeSystem, str]:
    """The code system a request names by OID, and the code, checked against it."""
    if not code:
        raise InvalidInput("mainSearchCriteria.v.c", "Name the code: mainSearchCriteria.v.c=6130.")
    if not system_oid:
        raise InvalidInput("mainSearchCriteria.v.cs", "Name the code system by OID: mainSearchCriteria.v.cs.")
    system = codes.BY_OID.get(system_oid.removeprefix("urn:oid:"))
    if system is None:
        known = ", ".join(f"{s.oid} ({s.name})" for s in codes.SYSTEMS)
        raise InvalidInput(
            "mainSearchCriteria.v.cs", f"{system_oid!r} is not a code system Folio knows: {known}."
        )
    if (why := codes.problem(system.uri, code)) is not None:
        raise InvalidInput("mainSearchCriteria.v.c", why)
    return system, code


async def _feed(
    request: Request[Any, Any, Any],
    chart: ChartDep,
    settings: SettingsDep,
    code: str | None,
    system_oid: str | None,
    display: str | None,
    recipient: str | None,
    language: str | None,
) -> Feed:
    system, code = _code(code, system_oid)
    if display is not None and (len(display) > 200 or not display.isprintable()):
        raise InvalidInput("mainSearchCriteria.v.dn", "Give one line of at most 200 characters.")
    if recipient not in (None, "PAT", "PROV"):
        raise InvalidInput("informationRecipient", "Use PAT (patient) or PROV (provider).")
    locales = locales_of(settings)
    asked = (language or locales.default).strip()
    if asked not in locales.supported:
        supported = ", ".join(locales.supported)
        raise InvalidInput("informationRecipient.languageCode.c", f"{asked!r}: Folio answers in {supported}.")
    chain = locales.chain(asked)
    found = await chart.versions(locales=chain, codes=[(system.uri, code)], current_only=True)
    best: dict[tuple[str, str], Any] = {}
    for version in found:
        key = (version.kind, version.slug)
        if key not in best or chain.index(version.locale) < chain.index(best[key].locale):
            best[key] = version
    entries = [
        Entry(
            version=v,
            page=chart.url(v, "page"),
            handout=chart.url(v, "handout"),
            fallback_from=asked if v.locale != asked else None,
        )
        for v in sorted(best.values(), key=lambda v: (v.kind != "article", v.title))
    ]
    brand = chart.brand
    query = urlencode(sorted(request.query_params.items()))
    return Feed(
        id=f"{chart.base_url}/infobutton?{query}",
        title=f"{brand.clinic_name}: patient education",
        author=brand.clinic_name,
        author_uri=chart.base_url,
        subtitle=f"Patient education for {display or code} ({system.name} {code})",
        language=asked,
        updated=max((e.version.published_at for e in entries), default=dt.datetime.now(dt.UTC)),
        categories=[
            ("mainSearchCriteria.v.c", code),
            ("mainSearchCriteria.v.cs", system.oid),
            ("informationRecipient", recipient or "PAT"),
            ("informationRecipient.languageCode.c", asked),
        ],
        entries=entries,
    )
