"""FHIR R4 under /fhir: the CapabilityStatement, DocumentReferences and Binaries of published versions
(read-only), and Communications: the record of what each patient was given, and its recall list.

Every answer is ``application/fhir+json`` (a Binary also in its own type, when asked for it);
every error is an OperationOutcome (api.problems). Search parameters are parsed here, strictly:
an unknown parameter or a malformed value is a 400 that names it, never silently ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import MultiDict
from litestar.params import Parameter

from api.auth import BEARER_SECURITY, requires
from api.caching import NO_STORE, Encoded, send, tagged
from api.chart import FORMATS, Chart, Format
from api.deps import ChartDep, CommunicationsDep, PrincipalDep, SettingsDep
from api.fhir import (
    FHIR_ID,
    FHIR_JSON,
    Resource,
    binary,
    capability_statement,
    communication,
    communication_input,
    document_reference,
    outcome_specs,
    parse_document_id,
    searchset,
)
from api.openapi import API_VERSION
from api.response_store import store_until
from api.settings import Settings
from content.cache_tags import CHART
from content.chart import ChartVersion
from content.codes import parse_token
from content.communications import Communications
from content.errors import InvalidInput, NotFound

FhirId = Annotated[str, Parameter(pattern=rf"^{FHIR_ID}$", description="A FHIR resource id.")]
MAX_COUNT = 100
_LANGUAGE = re.compile(r"^[a-z]{2}(?:-[A-Z]{2})?$")
# When what /fhir/metadata says last changed (CapabilityStatement.date): change it with the routes.
CAPABILITIES_CHANGED = dt.datetime(2026, 12, 6, tzinfo=dt.UTC)
_SEARCH_PARAMS = {"status", "language", "event", "_lastUpdated", "_id", "_count", "_offset", "_format"}
_FORMATS_ASKED = {"json", "application/json", "application/fhir+json"}
_PREFIX = re.compile(
    r"^(eq|ne|gt|lt|ge|le)?(\d{4}(?:-\d{2}(?:-\d{2}(?:T[0-9:.]+(?:Z|[+-]\d{2}:\d{2}))?)?)?)$"
)
_FHIR_DOC: dict[str, Any] = {"media_type": FHIR_JSON, "responses": outcome_specs(400, 404)}
_FHIR_WRITE: dict[str, Any] = {"media_type": FHIR_JSON, "responses": outcome_specs(400, 401, 403, 404)}


def _fhir(request: Request[Any, Any, Any], resource: Resource, cache_control: str) -> Response[Any]:
    response = send(request, Encoded.of(msgspec.json.encode(resource), FHIR_JSON), cache_control)
    return tagged(response, [CHART]) if cache_control.startswith("public") else response


def _offered(request: Request[Any, Any, Any], chart: Chart, resource: Resource) -> Response[Any]:
    """A resource about what the chart offers, stored as long as the files it names hold."""
    store_until(request.scope, chart.fresh_until(files=True))
    return _fhir(request, resource, chart.cache_control)


def _one(params: MultiDict[str], name: str) -> str | None:
    values = params.getall(name, [])
    if len(values) > 1:
        raise InvalidInput(name, f"Give {name} once.")
    return values[0] if values else None


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _moment(text: str) -> tuple[dt.datetime, dt.datetime]:
    """A FHIR date or dateTime as the interval it covers, [start, end)."""
    if "T" in text:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return moment, moment + dt.timedelta(seconds=1)
    parts = [int(p) for p in text.split("-")]
    year, month, day = parts + [1] * (3 - len(parts))
    start = dt.datetime(year, month, day, tzinfo=dt.UTC)
    if len(parts) == 3:
        return start, start + dt.timedelta(days=1)
    if len(parts) == 2:
        return start, dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=dt.UTC)
    return start, dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)


def _updated_matches(value: str) -> Any:
    match = _PREFIX.match(value)
    if not match:
        raise InvalidInput("_lastUpdated", f"{value!r} is not a FHIR date search value (ge2026-01-01, ...).")
    prefix, text = match.group(1) or "eq", match.group(2)
    try:
        start, end = _moment(text)
    except ValueError:
        raise InvalidInput("_lastUpdated", f"{value!r} is not a date.") from None
    tests = {
        "eq": lambda t: start <= t < end,
        "ne": lambda t: not start <= t < end,
        "gt": lambda t: t >= end,
        "ge": lambda t: t >= start,
        "lt": lambda t: t < start,
        "le": lambda t: t < end,
    }
    return tests[prefix]


class DocumentSearch(msgspec.Struct, frozen=True):
    """A DocumentReference search, parsed and checked."""

    statuses: frozenset[str] | None
    languages: list[str] | None
    events: list[list[tuple[str | None, str]]]  # each parameter ORs its values; parameters AND
    updated: list[Any]
    ids: list[tuple[int, Format]] | None
    count: int
    offset: int

    @classmethod
    def parse(cls, params: MultiDict[str], *, strict: bool) -> DocumentSearch:
        """With ``strict`` (``Prefer: handling=strict``), a parameter Folio does not search by is a 400;
        otherwise it is ignored, as FHIR's lenient default has it, and left out of the self link."""
        unknown = sorted(set(params) - _SEARCH_PARAMS)
        if unknown and strict:
            known = ", ".join(sorted(_SEARCH_PARAMS - {"_format", "_offset"}))
            raise InvalidInput(
                unknown[0], f"Folio does not search DocumentReference by {unknown[0]}; use {known}."
            )
        if (fmt := _one(params, "_format")) is not None and fmt not in _FORMATS_ASKED:
            raise InvalidInput("_format", "Folio speaks FHIR JSON only: _format=json.")
        statuses = None
        if (status := _one(params, "status")) is not None:
            statuses = frozenset(_csv(status))
            if not statuses or statuses - {"current", "superseded"}:
                raise InvalidInput("status", "Folio's documents are current or superseded.")
        languages = _csv(language) if (language := _one(params, "language")) is not None else None
        if languages is not None and not all(_LANGUAGE.match(tag) for tag in languages):
            raise InvalidInput("language", "Give language tags: en, es.")
        events = [[parse_token(t, "event") for t in _csv(value)] for value in params.getall("event", [])]
        if any(not group for group in events):
            raise InvalidInput("event", "Name a code: CODE or SYSTEM|CODE.")
        ids = None
        if (id_text := _one(params, "_id")) is not None:
            parsed = [parse_document_id(i) for i in _csv(id_text)]
            ids = [p for p in parsed if p is not None]
        return cls(
            statuses=statuses,
            languages=languages,
            events=events,
            updated=[_updated_matches(v) for v in params.getall("_lastUpdated", [])],
            ids=ids,
            count=_number(params, "_count", 20, 0, MAX_COUNT),
            offset=_number(params, "_offset", 0, 0, 2**31 - 1),
        )

    def keeps(self, version: ChartVersion, fmt: Format) -> bool:
        if (
            self.statuses is not None
            and ("current" if version.current else "superseded") not in self.statuses
        ):
            return False
        if self.ids is not None and (version.id, fmt) not in self.ids:
            return False
        carried = {(c.system, c.code) for c in version.codes}
        for group in self.events:
            if not any((s, c) in carried if s else c in {code for _, code in carried} for s, c in group):
                return False
        return all(test(version.updated_at) for test in self.updated)


def _number(params: MultiDict[str], name: str, default: int, low: int, high: int) -> int:
    text = _one(params, name)
    if text is None:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise InvalidInput(name, f"{name} is a whole number from {low} to {high}.")
    return int(text)


class FhirController(Controller):
    path = "/fhir"
    tags = ["fhir"]

    @get("/metadata", operation_id="fhirCapabilities", summary="FHIR CapabilityStatement", **_FHIR_DOC)
    async def metadata(self, request: Request[Any, Any, Any], chart: ChartDep) -> Response[bytes]:
        """What this FHIR endpoint reads, searches and records (FHIR R4, JSON)."""
        statement = capability_statement(chart.base_url, API_VERSION, CAPABILITIES_CHANGED)
        return _fhir(request, statement, NO_STORE)

    @get("/DocumentReference", operation_id="fhirSearchDocuments", summary="Search documents", **_FHIR_DOC)
    async def search_documents(self, request: Request[Any, Any, Any], chart: ChartDep) -> Response[bytes]:
        """One per published version, locale and format (handout PDF, web page); a `searchset` Bundle.

        Parameters: `status` (current, superseded), `language` (en, es), `event` (CODE or
        SYSTEM|CODE; a system by URI, OID or name), `_lastUpdated` (ge2026-01-01), `_id`, `_count`
        (at most 100). Follow the Bundle's `next` link for more.
        """
        strict = "handling=strict" in request.headers.get("prefer", "").replace(" ", "")
        search = DocumentSearch.parse(request.query_params, strict=strict)
        found = await chart.versions(
            locales=search.languages, codes=search.events[0] if search.events else ()
        )
        matches = [(v, fmt) for v in found for fmt in FORMATS if search.keeps(v, fmt)]
        page = matches[search.offset : search.offset + search.count]
        files = await chart.files(page)
        entries = [
            document_reference(v, fmt, file, chart.base_url)
            for (v, fmt), file in zip(page, files, strict=True)
        ]
        kept = [
            (k, v)
            for k, v in request.query_params.multi_items()
            if k in _SEARCH_PARAMS and k not in ("_offset", "_count")
        ]
        here = f"{chart.base_url}/fhir/DocumentReference?"
        links = {"self": here + urlencode([*kept, ("_count", search.count), ("_offset", search.offset)])}
        if search.count and search.offset + search.count < len(matches):
            after = search.offset + search.count
            links["next"] = here + urlencode([*kept, ("_count", search.count), ("_offset", after)])
        return _offered(request, chart, searchset(entries, chart.base_url, len(matches), links))

    @get("/DocumentReference/{id:str}", operation_id="fhirReadDocument", summary="One document", **_FHIR_DOC)
    async def read_document(
        self, request: Request[Any, Any, Any], chart: ChartDep, id: FhirId
    ) -> Response[bytes]:
        """A version in one format: `handout-N` (PDF) or `page-N` (web page)."""
        version, fmt = await _document(chart, id)
        resource = document_reference(version, fmt, await chart.file(version, fmt), chart.base_url)
        return _offered(request, chart, resource)

    @get("/Binary/{id:str}", operation_id="fhirReadBinary", summary="A document's file", **_FHIR_DOC)
    async def read_binary(
        self, request: Request[Any, Any, Any], chart: ChartDep, id: FhirId
    ) -> Response[bytes]:
        """The file as a Binary resource; in its own type (application/pdf, text/html) if Accept asks."""
        version, fmt = await _document(chart, id)
        file = await chart.file(version, fmt)
        accept = request.headers.get("accept", "")
        if file.content_type in accept and "fhir" not in accept:
            response = tagged(
                send(request, Encoded.of(file.body, file.content_type), chart.cache_control), [CHART]
            )
        else:
            response = _fhir(request, binary(file, id), chart.cache_control)
        vary = response.headers.get("Vary")
        response.headers["Vary"] = f"{vary}, Accept" if vary else "Accept"  # negotiated on Accept
        return response

    @post(
        "/Communication",
        operation_id="fhirRecordCommunication",
        summary="Record what a patient was given",
        guards=[requires("ehr")],
        security=BEARER_SECURITY,
        status_code=201,
        **_FHIR_WRITE,
    )
    async def record_communication(
        self,
        request: Request[Any, Any, Any],
        chart: ChartDep,
        communications: CommunicationsDep,
        principal: PrincipalDep,
        settings: SettingsDep,
    ) -> Response[bytes]:
        """Role ehr. `subject` (Patient/ID) and `encounter` are the EHR's opaque references; `payload`
        names the DocumentReference given; `sent` when. A name, birth date or any free text is refused."""
        given_input = communication_input(await request.body())
        document = given_input.payload[0].content_reference.reference.removeprefix("DocumentReference/")
        version, _fmt = await _document(chart, document)
        given = await (await _kept(communications, settings)).record(
            version=version,
            document=document,
            subject=given_input.subject.reference,
            encounter=given_input.encounter.reference if given_input.encounter else None,
            sent=given_input.sent,
            actor=principal.name,
        )
        body = msgspec.json.encode(communication(given))
        location = f"{chart.base_url}/fhir/Communication/{given.id}"
        return Response(
            body,
            status_code=201,
            media_type=FHIR_JSON,
            headers={"Location": location, "Cache-Control": NO_STORE},
        )

    @get(
        "/Communication",
        operation_id="fhirRecallCommunications",
        summary="Who was given a document",
        guards=[requires("ehr", "admin")],
        security=BEARER_SECURITY,
        **_FHIR_WRITE,
    )
    async def recall(
        self,
        request: Request[Any, Any, Any],
        chart: ChartDep,
        communications: CommunicationsDep,
        principal: PrincipalDep,
        settings: SettingsDep,
    ) -> Response[bytes]:
        """Role ehr or admin. `about=DocumentReference/ID`: every patient reference that version was
        given to (in either format), to follow up when it is found wrong. Each read is audited."""
        params = request.query_params
        unknown = sorted(set(params) - {"about", "_format"})
        if unknown:
            raise InvalidInput(unknown[0], f"Folio searches Communication by about only, not {unknown[0]}.")
        about = _one(params, "about")
        if about is None:
            raise InvalidInput("about", "Name the document: about=DocumentReference/ID.")
        # By id alone, not through what the chart is offered: a version withdrawn since (archived,
        # or no longer reviewed) is exactly the one to recall.
        parsed = [parse_document_id(ref.removeprefix("DocumentReference/")) for ref in _csv(about)]
        if not parsed or None in parsed:
            raise InvalidInput(
                "about", "Name Folio documents: about=DocumentReference/handout-N (or page-N)."
            )
        kept = await _kept(communications, settings)
        found = await kept.recall([p[0] for p in parsed if p], about, principal.name)
        here = f"{chart.base_url}/fhir/Communication?" + urlencode({"about": about})
        bundle = searchset([communication(g) for g in found], chart.base_url, len(found), {"self": here})
        return _fhir(request, bundle, NO_STORE)

    @get(
        "/Communication/{id:str}",
        operation_id="fhirReadCommunication",
        summary="One record of what was given",
        guards=[requires("ehr", "admin")],
        security=BEARER_SECURITY,
        **_FHIR_WRITE,
    )
    async def read_communication(
        self,
        request: Request[Any, Any, Any],
        communications: CommunicationsDep,
        principal: PrincipalDep,
        settings: SettingsDep,
        id: FhirId,
    ) -> Response[bytes]:
        """Role ehr or admin: the record a create's Location names. Each read is audited."""
        found = await (await _kept(communications, settings)).by_id(id, principal.name)
        if found is None:
            raise NotFound(f"No Communication {id!r}.")
        return _fhir(request, communication(found), NO_STORE)


async def _document(chart: ChartDep, text: str) -> tuple[ChartVersion, Format]:
    """The offered version a DocumentReference or Binary id names; NotFound otherwise."""
    parsed = parse_document_id(text)
    found = await chart.versions(ids=[parsed[0]]) if parsed else []
    if not found or parsed is None:
        raise NotFound(f"No DocumentReference {text!r}.")
    return found[0], parsed[1]


async def _kept(communications: Communications, settings: Settings) -> Communications:
    """The records, once those older than FOLIO_COMMUNICATION_RETENTION_DAYS are forgotten."""
    await communications.forget(dt.timedelta(settings.communication_retention_days))
    return communications
