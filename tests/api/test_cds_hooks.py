"""CDS Hooks 2.0: discovery and patient-view cards, checked against the spec's rules (tests/cds_hooks)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from litestar.testing import TestClient
from msgspec.structs import replace

from api.app import create_app
from api.settings import Settings

Client = TestClient[Any]
SCHEMAS = Path(__file__).resolve().parents[1] / "cds_hooks"
SERVICE = "/cds-services/folio-patient-education"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
BASE = "http://127.0.0.1:8000"


def _check(schema: str, body: Any) -> None:
    validator = Draft202012Validator(json.loads((SCHEMAS / schema).read_text()))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]
    assert not errors, errors


@pytest.fixture
def client(settings: Settings) -> Iterator[Client]:
    # Unreviewed versions offered explicitly: the answers hold whatever the library's review status.
    with TestClient(create_app(replace(settings, ehr_offer_unreviewed=True))) as test_client:
        yield test_client


def _bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in resources]}


def _request(language: str | None = "es", **prefetch: Any) -> dict[str, Any]:
    patient: dict[str, Any] = {"resourceType": "Patient", "id": "p-1"}
    if language:
        patient["communication"] = [
            {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "en"}]}},
            {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": language}]}, "preferred": True},
        ]
    ketamine = {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": "6130", "display": "ketamine"}]},
        "subject": {"reference": "Patient/p-1"},
    }
    fills = {"patient": patient, "conditions": _bundle(), "medications": _bundle(ketamine)} | prefetch
    return {
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": {"userId": "Practitioner/example", "patientId": "p-1"},
        "prefetch": {k: v for k, v in fills.items() if v != "omit"},
    }


def test_discovery(client: Client) -> None:
    response = client.get("/cds-services")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    body = response.json()
    _check("discovery.schema.json", body)
    (service,) = body["services"]
    assert service["hook"] == "patient-view" and service["id"] == "folio-patient-education"
    assert set(service["prefetch"]) == {"patient", "conditions", "medications"}


def test_cards_link_to_the_page_and_handout_in_the_patients_language(client: Client) -> None:
    response = client.post(SERVICE, json=_request("es"))
    assert response.status_code == 200, response.text
    body = response.json()
    _check("response.schema.json", body)
    cards = body["cards"]
    assert len(cards) == 4
    for card in cards:
        assert len(card["summary"]) <= 140 and card["indicator"] == "info"
        assert card["source"]["url"].startswith("http")
        page, handout = card["links"]
        assert {page["type"], handout["type"]} == {"absolute"}
        assert (
            "locale=es" in page["url"] and "/handout.pdf?" in handout["url"] and "locale=es" in handout["url"]
        )
        opened = client.get(page["url"].removeprefix(BASE))
        assert opened.status_code == 200 and opened.headers["content-language"] == "es"
        pdf = client.get(handout["url"].removeprefix(BASE))
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"


def test_a_condition_code_matches_and_english_is_the_default(client: Client, tokens: dict[str, str]) -> None:
    # Nothing in the sample library carries a diagnosis; give one item a SNOMED CT code first.
    path = "/v1/faqs/ketamine-addiction-faq"
    from tests.api.test_editorial import editable, reviewed, start_draft
    from tests.conftest import bearer

    draft, etag = start_draft(client, tokens, path)
    snomed = {"system": "http://snomed.info/sct", "code": "191816009", "display": "Drug dependence"}
    saved = client.put(
        path + "/draft",
        json={**editable(draft), "codes": [*draft["codes"], snomed]},
        headers=bearer(tokens["editor"], **{"If-Match": etag}),
    )
    etag = reviewed(client, tokens, path, saved.headers["etag"])
    client.post(path + "/publish", headers=bearer(tokens["publisher"], **{"If-Match": etag}))
    condition = {
        "resourceType": "Condition",
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "191816009"}]},
        "subject": {"reference": "Patient/p-1"},
    }
    body = client.post(SERVICE, json=_request(None, medications=None, conditions=_bundle(condition))).json()
    _check("response.schema.json", body)
    (card,) = body["cards"]
    assert card["summary"].startswith("Patient education: Ketamine therapy and addiction")
    assert "locale=en" in card["links"][0]["url"] and "version=2" in card["links"][0]["url"]


def test_no_matching_code_answers_no_cards(client: Client) -> None:
    body = client.post(SERVICE, json=_request(medications=None)).json()
    assert body == {"cards": []}
    _check("response.schema.json", body)


def test_a_missing_prefetch_is_412_with_an_operation_outcome(client: Client) -> None:
    response = client.post(SERVICE, json=_request(medications="omit"))
    assert response.status_code == 412
    assert response.json()["resourceType"] == "OperationOutcome"
    assert "medications" in response.json()["issue"][0]["diagnostics"]


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        json.dumps(_request() | {"hook": "order-sign"}).encode(),
        json.dumps({k: v for k, v in _request().items() if k != "hookInstance"}).encode(),
        json.dumps(_request() | {"context": {}}).encode(),
        json.dumps(_request(patient=["not", "a", "resource"])).encode(),
    ],
)
def test_bad_requests_are_400_operation_outcomes(client: Client, body: bytes) -> None:
    response = client.post(SERVICE, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"
