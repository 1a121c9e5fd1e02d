"""CDS Hooks 2.0: the discovery document and a ``patient-view`` service that answers cards.

The service reads the patient's conditions, medications and languages from ``prefetch`` only;
it never calls back to the EHR. A prefetch key the EHR could not fill (omitted) is a 412 with an
OperationOutcome, as the specification says; a key whose value is null means "no data". Folio
keeps nothing from the request. Each card links, as ``absolute`` links, to the page and the
handout of the current version in the patient's language (``Patient.communication``, the
preferred one first), or in the one it falls back to, and says which.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import HTTPException

from api.chart import UNREVIEWED, reviewed
from api.deps import ChartDep, SettingsDep
from api.fhir import outcome_specs
from api.locales import locales_of
from content import codes
from content.chart import ChartVersion
from content.errors import InvalidInput
from content.locales import lookup

SERVICE_ID = "folio-patient-education"
HOOK = "patient-view"
PREFETCH = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "medications": "MedicationRequest?patient={{context.patientId}}",
}
MAX_CARDS = 10
SUMMARY_MAX = 139  # "<140-character" (CDS Hooks 2.0, Card Attributes)
LANGUAGE_NAMES = {"en": "English", "es": "Español"}


def discovery() -> dict[str, Any]:
    return {
        "services": [
            {
                "hook": HOOK,
                "title": "Patient education handouts",
                "description": "Cards with the clinic's reviewed patient-education handouts and pages for "
                "the patient's conditions and medications (ICD-10-CM, SNOMED CT, RxNorm, LOINC codes), in "
                "the patient's language.",
                "id": SERVICE_ID,
                "prefetch": PREFETCH,
                "usageRequirements": "Needs the prefetch filled: Folio never calls the EHR's FHIR server.",
            }
        ]
    }


def _resources(value: Any, key: str) -> list[dict[str, Any]]:
    """The resources of a prefetched search Bundle, or of a single resource; [] for null."""
    if value is None:
        return []
    if not isinstance(value, dict) or "resourceType" not in value:
        raise InvalidInput(f"prefetch.{key}", "must be a FHIR resource or Bundle, or null.")
    if value["resourceType"] == "OperationOutcome":
        raise HTTPException(status_code=412, detail=f"The EHR could not prefetch {key!r} (OperationOutcome).")
    if value["resourceType"] == "Bundle":
        entries = value.get("entry") or []
        return [e["resource"] for e in entries if isinstance(e, dict) and isinstance(e.get("resource"), dict)]
    return [value]


def _codings(concept: Any) -> list[tuple[str, str]]:
    found = []
    for coding in (concept or {}).get("coding") or [] if isinstance(concept, dict) else []:
        if not isinstance(coding, dict) or not isinstance(coding.get("code"), str):
            continue
        if not codes.CODE_TEXT.match(coding["code"]):
            continue  # no code Folio keeps looks like this
        system = codes.system_named(str(coding.get("system", "")))
        if system is not None:
            found.append((system.uri, coding["code"]))
    return found


def _patient_languages(patient: dict[str, Any] | None) -> list[str]:
    """BCP 47 tags of Patient.communication, the preferred one first."""
    communication = (patient or {}).get("communication") or []
    ordered = sorted(
        (c for c in communication if isinstance(c, dict)), key=lambda c: not c.get("preferred", False)
    )
    tags = []
    for entry in ordered:
        language = entry.get("language") or {}
        for coding in language.get("coding") or [] if isinstance(language, dict) else []:
            if isinstance(coding, dict) and isinstance(coding.get("code"), str):
                tags.append(coding["code"])
    return tags


class CdsHooksController(Controller):
    path = "/cds-services"
    tags = ["cds-hooks"]

    @get("/", operation_id="cdsDiscovery", summary="CDS Hooks discovery")
    async def discover(self) -> Response[bytes]:
        """The CDS Services Folio offers: one, on `patient-view`."""
        return Response(msgspec.json.encode(discovery()), media_type="application/json")

    @post(
        f"/{SERVICE_ID}",
        operation_id="cdsPatientView",
        summary="patient-view cards",
        status_code=200,
        responses=outcome_specs(400, 412),
    )
    async def patient_view(
        self, request: Request[Any, Any, Any], chart: ChartDep, settings: SettingsDep
    ) -> Response[bytes]:
        """Cards for the handouts matching the prefetched conditions and medications."""
        try:
            body = msgspec.json.decode(await request.body())
        except msgspec.DecodeError:
            raise InvalidInput("$", "The body is not JSON.") from None
        if not isinstance(body, dict):
            raise InvalidInput("$", "The body is a CDS Hooks request object.")
        if body.get("hook") != HOOK:
            raise InvalidInput("hook", f"This service answers the {HOOK} hook.")
        if not isinstance(body.get("hookInstance"), str) or not body["hookInstance"]:
            raise InvalidInput("hookInstance", "hookInstance is required.")
        context = body.get("context")
        if not isinstance(context, dict) or not isinstance(context.get("patientId"), str):
            raise InvalidInput("context.patientId", "context.patientId is required.")
        prefetch = body.get("prefetch")
        prefetch = prefetch if isinstance(prefetch, dict) else {}
        missing = [key for key in PREFETCH if key not in prefetch]
        if missing:
            raise HTTPException(
                status_code=412,
                detail=f"Prefetch {', '.join(missing)} missing: Folio reads them from prefetch only.",
            )
        patients = _resources(prefetch["patient"], "patient")
        wanted: list[tuple[str, str]] = []
        for condition in _resources(prefetch["conditions"], "conditions"):
            wanted += _codings(condition.get("code"))
        for request_ in _resources(prefetch["medications"], "medications"):
            wanted += _codings(request_.get("medicationCodeableConcept"))
        cards = await _cards(chart, settings, list(dict.fromkeys(wanted)), patients[0] if patients else None)
        return Response(msgspec.json.encode({"cards": cards}), media_type="application/json")


async def _cards(
    chart: ChartDep, settings: SettingsDep, wanted: list[tuple[str, str]], patient: dict[str, Any] | None
) -> list[dict[str, Any]]:
    if not wanted:
        return []
    locales = locales_of(settings)
    # The patient's first language Folio speaks (es-MX finds es), else the default.
    asked = next(
        (found for tag in _patient_languages(patient) if (found := lookup([tag], locales.supported, ""))),
        locales.default,
    )
    chain = locales.chain(asked)
    best: dict[tuple[str, str], ChartVersion] = {}
    for version in await chart.versions(locales=chain, codes=wanted, current_only=True):
        key = (version.kind, version.slug)
        if key not in best or chain.index(version.locale) < chain.index(best[key].locale):
            best[key] = version
    brand = chart.brand
    chosen = sorted(best.values(), key=lambda v: (v.kind != "article", v.title))[:MAX_CARDS]
    return [_card(v, asked, chart, brand.clinic_name) for v in chosen]


def _card(version: ChartVersion, asked: str, chart: ChartDep, clinic: str) -> dict[str, Any]:
    language = LANGUAGE_NAMES.get(version.locale, version.locale)
    prefix = "" if reviewed(version) else "UNREVIEWED: "
    summary = f"{prefix}Patient education: {version.title}"
    if len(summary) > SUMMARY_MAX:
        summary = summary[: SUMMARY_MAX - 1].rstrip() + "…"
    detail = f"{version.summary}\n\nVersion {version.number}, in {language}."
    if version.locale != asked:
        detail += f" Not available in {LANGUAGE_NAMES.get(asked, asked)}."
    if not reviewed(version):
        detail = f"**{UNREVIEWED}**\n\n{detail}"
    return {
        "summary": summary,
        "detail": detail,
        "indicator": "info",
        "source": {"label": clinic, "url": chart.base_url},
        "links": [
            {"label": f"Read online ({language})", "url": chart.url(version, "page"), "type": "absolute"},
            {
                "label": f"Print the handout ({language}, PDF)",
                "url": chart.url(version, "handout"),
                "type": "absolute",
            },
        ],
    }
