"""FHIR R4 (4.0.1) resources Folio emits: CapabilityStatement, DocumentReference, Binary, Bundle,
Communication and OperationOutcome, as plain JSON objects built from the chart's versions.

Everything is served as ``application/fhir+json``. The tests validate each resource with a FHIR
validator (see tests/api/test_fhir.py).
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from typing import Annotated, Any, Literal

import msgspec
from litestar import Response
from litestar.openapi.datastructures import ResponseSpec
from msgspec import Meta

from api.chart import ChartFile, Format, reviewed, unreviewed_mark
from content import codes
from content.chart import ChartVersion
from content.communications import Given
from content.errors import InvalidInput

FHIR_JSON = "application/fhir+json"
FHIR_VERSION = "4.0.1"
FHIR_ID = r"[A-Za-z0-9\-.]{1,64}"
Resource = dict[str, Any]
# FHIR ids: [A-Za-z0-9\-\.]{1,64}. A DocumentReference (and its Binary) is one version in one format.
ID_PREFIX: dict[Format, str] = {"handout": "handout", "page": "page"}
_TYPE_TEXT: dict[Format, str] = {"handout": "Patient education handout", "page": "Patient education web page"}


def instant(value: dt.datetime) -> str:
    """A FHIR instant: seconds, with the time zone."""
    return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def document_id(version: ChartVersion | int, fmt: Format) -> str:
    return f"{ID_PREFIX[fmt]}-{version if isinstance(version, int) else version.id}"


def parse_document_id(text: str) -> tuple[int, Format] | None:
    """(version row id, format) of a DocumentReference or Binary id; None when it is not one of ours."""
    prefix, _, number = text.partition("-")
    fmt = next((f for f, p in ID_PREFIX.items() if p == prefix), None)
    if fmt is None or not number.isdigit() or len(number) > 10 or number.startswith("0"):
        return None
    return (int(number), fmt) if int(number) <= 2**31 - 1 else None  # row ids are 32-bit


def document_reference(version: ChartVersion, fmt: Format, file: ChartFile, base_url: str) -> Resource:
    """One version in one format, with its file's size and SHA-1 as served today."""
    resource: Resource = {
        "resourceType": "DocumentReference",
        "id": document_id(version, fmt),
        "meta": {"lastUpdated": instant(version.updated_at)},
        "language": version.locale,
        "identifier": [
            {
                "system": f"{base_url}/fhir/identifier/version",
                "value": f"{version.kind}/{version.slug}/{version.locale}/{version.number}/{fmt}",
            }
        ],
        "status": "current" if version.current else "superseded",
        # Unreviewed versions reach a chart only where the operator allows it, and say so.
        "docStatus": "final" if reviewed(version) else "preliminary",
        "type": {"text": _TYPE_TEXT[fmt]},
        "category": [{"text": version.kind}],
        "date": instant(version.published_at),
        "description": (
            version.summary if reviewed(version) else f"{unreviewed_mark(version.locale)} {version.summary}"
        ),
        "content": [
            {
                "attachment": {
                    "contentType": file.content_type,
                    "language": version.locale,
                    "url": file.url,
                    "size": len(file.body),
                    "hash": file.sha1,
                    "title": f"{version.title} (version {version.number})",
                    "creation": instant(version.published_at),
                }
            }
        ],
    }
    if version.previous_id is not None:
        resource["relatesTo"] = [
            {
                "code": "replaces",
                "target": {"reference": f"DocumentReference/{document_id(version.previous_id, fmt)}"},
            }
        ]
    if version.codes:
        resource["context"] = {"event": [codeable(c) for c in version.codes]}
    return resource


def codeable(code: Any) -> Resource:
    return {
        "coding": [{"system": code.system, "code": code.code, "display": code.display}],
        "text": code.display,
    }


def binary(file: ChartFile, binary_id: str) -> Resource:
    return {
        "resourceType": "Binary",
        "id": binary_id,
        "contentType": file.content_type,
        "data": base64.b64encode(file.body).decode(),
    }


def searchset(entries: list[Resource], base: str, total: int, links: dict[str, str]) -> Resource:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": [{"relation": relation, "url": url} for relation, url in links.items()],
        "entry": [
            {
                "fullUrl": f"{base}/fhir/{resource['resourceType']}/{resource['id']}",
                "resource": resource,
                "search": {"mode": "match"},
            }
            for resource in entries
        ],
    }


def communication(given: Given) -> Resource:
    resource: Resource = {
        "resourceType": "Communication",
        "id": given.id,
        "meta": {"lastUpdated": instant(given.recorded_at)},
        "status": "completed",
        "subject": {"reference": given.subject},
        "sent": instant(given.sent),
        "payload": [{"contentReference": {"reference": f"DocumentReference/{given.document}"}}],
    }
    if given.encounter:
        resource["encounter"] = {"reference": given.encounter}
    return resource


def capability_statement(base_url: str, software_version: str, published: dt.datetime) -> Resource:
    """What Folio's FHIR endpoint does: read and search documents, read files, record what was given."""
    token = "token"
    return {
        "resourceType": "CapabilityStatement",
        "id": "folio",
        "url": f"{base_url}/fhir/metadata",
        "name": "FolioPatientEducation",
        "title": "Folio patient education documents",
        "status": "active",
        "date": instant(published),
        "publisher": "Folio",
        "description": "Read-only patient education documents (each published version of each translation, "
        "as its PDF handout and its web page), their files, and records of what each patient was given.",
        "kind": "instance",
        "software": {"name": "Folio", "version": software_version},
        "implementation": {"description": "Folio", "url": f"{base_url}/fhir"},
        "fhirVersion": FHIR_VERSION,
        "format": [FHIR_JSON, "json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "description": "DocumentReference and Binary are public (published content). "
                    "Communication needs a bearer token: role ehr to create, ehr or admin to search."
                },
                "resource": [
                    {
                        "type": "DocumentReference",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [
                            {"name": "_id", "type": token},
                            {"name": "_lastUpdated", "type": "date"},
                            {"name": "status", "type": token},
                            {"name": "language", "type": token},
                            {
                                "name": "event",
                                "type": token,
                                "documentation": "A clinical code, CODE or SYSTEM|CODE: "
                                + ", ".join(f"{s.name} {s.uri}" for s in codes.SYSTEMS),
                            },
                            {"name": "_count", "type": "number"},
                        ],
                    },
                    {"type": "Binary", "interaction": [{"code": "read"}]},
                    {
                        "type": "Communication",
                        "interaction": [{"code": "create"}, {"code": "search-type"}],
                        "searchParam": [{"name": "about", "type": "reference"}],
                    },
                ],
            }
        ],
    }


class OutcomeIssue(msgspec.Struct):
    severity: str
    code: str
    diagnostics: str


class OperationOutcome(msgspec.Struct, rename={"resource_type": "resourceType"}):
    """A FHIR OperationOutcome: every error of /fhir and /cds-services."""

    resource_type: Literal["OperationOutcome"]
    issue: list[OutcomeIssue]


def outcome_specs(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI: the OperationOutcome errors a route may answer."""
    meaning = {
        400: "A parameter or the body is invalid.",
        401: "No valid bearer token.",
        403: "The token's role may not do this.",
        404: "No such resource.",
        412: "A prefetch the service needs is missing.",
    }
    return {
        status: ResponseSpec(
            data_container=OperationOutcome,
            media_type=FHIR_JSON,
            description=meaning[status],
            generate_examples=False,
        )
        for status in statuses
    }


def outcome(status: int, detail: str, code: str | None = None) -> Response[bytes]:
    """An OperationOutcome error response."""
    issue_code = code or {
        400: "invalid",
        401: "login",
        403: "forbidden",
        404: "not-found",
        405: "not-supported",
        406: "not-supported",
        410: "deleted",
        412: "conflict",
        413: "too-costly",
        415: "not-supported",
        503: "transient",
    }.get(status, "exception" if status >= 500 else "processing")
    body = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": issue_code, "diagnostics": detail}],
    }
    return Response(msgspec.json.encode(body), status_code=status, media_type=FHIR_JSON)


# --- Communication input: exactly what Folio keeps, nothing about the patient but a reference --------

_NOT_KEPT = re.compile(r"unknown field `([^`]+)`")
_DATE_LIKE = re.compile(r"\d{4}-?\d{2}-?\d{2}")
PatientRef = Annotated[str, Meta(pattern=rf"^Patient/{FHIR_ID}$")]
EncounterRef = Annotated[str, Meta(pattern=rf"^Encounter/{FHIR_ID}$")]
DocumentRef = Annotated[str, Meta(pattern=r"^DocumentReference/[a-z]+-[0-9]{1,10}$")]


class _Strict(msgspec.Struct, forbid_unknown_fields=True, rename="camel"):
    """FHIR JSON in, with every element Folio does not keep refused: a name, a birth date, a note."""


class PatientReference(_Strict):
    reference: PatientRef


class EncounterReference(_Strict):
    reference: EncounterRef


class DocumentReferenceRef(_Strict):
    reference: DocumentRef


class Payload(_Strict):
    content_reference: DocumentReferenceRef


class CommunicationInput(_Strict):
    """A Communication saying a patient was given one version: subject, encounter, sent and payload only."""

    resource_type: Literal["Communication"]
    status: Literal["completed"]
    subject: PatientReference
    sent: dt.datetime
    payload: Annotated[list[Payload], Meta(min_length=1, max_length=1)]
    encounter: EncounterReference | None = None


def communication_input(raw: bytes) -> CommunicationInput:
    try:
        given = msgspec.json.decode(raw, type=CommunicationInput)
    except msgspec.ValidationError as exc:
        message = str(exc)
        if found := _NOT_KEPT.search(message):
            raise InvalidInput(
                found.group(1),
                f"Folio keeps no {found.group(1)!r}: it stores no name, birth date or free text about a "
                "patient, only the EHR's references (subject, encounter), sent, and the "
                "DocumentReference given.",
            ) from None
        if message.endswith("`$.status`"):
            raise InvalidInput("status", "status is completed: Folio records what was given.") from None
        raise InvalidInput("$", message) from None
    except msgspec.DecodeError as exc:
        raise InvalidInput("$", f"The body is not JSON: {exc}") from None
    for where, reference in (("subject", given.subject), ("encounter", given.encounter)):
        if reference is not None and _DATE_LIKE.search(reference.reference):
            raise InvalidInput(
                f"{where}.reference", "This looks like a date: send the EHR's opaque id, never a birth date."
            )
    if given.sent.tzinfo is None:
        raise InvalidInput("sent", "sent needs a time zone (2026-12-06T10:00:00Z).")
    if given.sent > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5):
        raise InvalidInput("sent", "sent is in the future.")
    return given
