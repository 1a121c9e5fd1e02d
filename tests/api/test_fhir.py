"""FHIR R4 for the chart: CapabilityStatement, DocumentReference search, Binary, Communication records.

Every resource Folio emits is validated against the R4 definitions (tests/api/fhir_checks.py).
The settings offer unreviewed versions to the chart explicitly, so these tests hold whatever the
review status of the bundled library (issue 19 makes it unreviewed until a reviewer signs it off).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient
from msgspec.structs import replace

from api.app import create_app
from api.chart import offered_to_chart
from api.fhir import document_reference
from api.settings import Settings
from content.chart import ChartVersion
from content.model import Code
from tests.api.fhir_checks import assert_r4, needs_fhir_js
from tests.api.test_editorial import editable, reviewed, start_draft
from tests.conftest import bearer

pytestmark = needs_fhir_js
Client = TestClient[Any]
FHIR_JSON = "application/fhir+json"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ARTICLE = "/v1/articles/ketamine-withdrawal"


@pytest.fixture
def chart_settings(settings: Settings) -> Settings:
    return replace(settings, ehr_offer_unreviewed=True)


@pytest.fixture
def fhir(chart_settings: Settings) -> Iterator[Client]:
    with TestClient(create_app(chart_settings)) as test_client:
        yield test_client


def _get(client: Client, url: str, **kwargs: Any) -> dict[str, Any]:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == FHIR_JSON
    body: dict[str, Any] = response.json()
    return body


def _publish_version_2(client: Client, tokens: dict[str, str]) -> None:
    draft, etag = start_draft(client, tokens, ARTICLE)
    editor = bearer(tokens["editor"], **{"If-Match": etag})
    saved = client.put(
        ARTICLE + "/draft", json={**editable(draft), "title": "Ketamine withdrawal, revised"}, headers=editor
    )
    assert saved.status_code == 200, saved.text
    etag = reviewed(client, tokens, ARTICLE, saved.headers["etag"])
    published = client.post(ARTICLE + "/publish", headers=bearer(tokens["publisher"], **{"If-Match": etag}))
    assert published.status_code in (200, 201), published.text


def test_capability_statement(fhir: Client) -> None:
    statement = _get(fhir, "/fhir/metadata")
    assert statement["resourceType"] == "CapabilityStatement" and statement["fhirVersion"] == "4.0.1"
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert set(resources) == {"DocumentReference", "Binary", "Communication"}
    assert {p["name"] for p in resources["DocumentReference"]["searchParam"]} >= {
        "status",
        "language",
        "event",
        "_lastUpdated",
        "_id",
    }
    assert_r4(statement)


def test_search_by_code_and_language_pages_through_every_document(fhir: Client) -> None:
    url: str | None = f"/fhir/DocumentReference?event={RXNORM}|6130&language=es&_count=3"
    seen: list[dict[str, Any]] = []
    bundles = []
    while url:
        bundle = _get(fhir, url)
        bundles.append(bundle)
        assert bundle["type"] == "searchset" and bundle["total"] == 8  # 4 items x (handout, page)
        seen += [entry["resource"] for entry in bundle["entry"]]
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
    assert len(bundles) == 3
    assert len({d["id"] for d in seen}) == 8
    assert {d["language"] for d in seen} == {"es"}
    assert {d["content"][0]["attachment"]["contentType"] for d in seen} == {"application/pdf", "text/html"}
    for document in seen:
        # The sample library is unreviewed: offered here only because the setting allows it, marked.
        assert document["status"] == "current" and document["docStatus"] == "preliminary"
        event = document["context"]["event"]
        assert event == [
            {"coding": [{"system": RXNORM, "code": "6130", "display": "ketamine"}], "text": "ketamine"}
        ]
        attachment = document["content"][0]["attachment"]
        assert attachment["language"] == "es" and "locale=es" in attachment["url"]
    assert_r4(*bundles)


def test_the_attachment_is_the_file_it_describes(fhir: Client) -> None:
    bundle = _get(fhir, "/fhir/DocumentReference?event=6130&language=en&_count=2")
    for entry in bundle["entry"]:
        attachment = entry["resource"]["content"][0]["attachment"]
        served = fhir.get(attachment["url"].removeprefix("http://127.0.0.1:8000"))
        assert served.status_code == 200
        assert served.headers["content-type"].startswith(attachment["contentType"])
        assert len(served.content) == attachment["size"]
        assert base64.b64encode(hashlib.sha1(served.content).digest()).decode() == attachment["hash"]
        file = _get(fhir, f"/fhir/Binary/{entry['resource']['id']}", headers={"Accept": FHIR_JSON})
        assert base64.b64decode(file["data"]) == served.content
        assert_r4(file)
        raw = fhir.get(
            f"/fhir/Binary/{entry['resource']['id']}", headers={"Accept": attachment["contentType"]}
        )
        assert raw.content == served.content


def test_a_new_version_supersedes_and_replaces_the_old(fhir: Client, tokens: dict[str, str]) -> None:
    _publish_version_2(fhir, tokens)
    current = _get(fhir, "/fhir/DocumentReference?status=current&language=en&event=rxnorm|6130&_count=100")
    old = _get(fhir, "/fhir/DocumentReference?status=superseded&_count=100")
    titles = {e["resource"]["content"][0]["attachment"]["title"] for e in old["entry"]}
    assert titles == {"Ketamine withdrawal — should patients in therapy worry? (version 1)"}
    assert old["total"] == 2
    replaced = {e["resource"]["id"] for e in old["entry"]}
    newest = [
        e["resource"]
        for e in current["entry"]
        if e["resource"]["content"][0]["attachment"]["title"] == "Ketamine withdrawal, revised (version 2)"
    ]
    assert len(newest) == 2
    assert {
        d["relatesTo"][0]["target"]["reference"].removeprefix("DocumentReference/") for d in newest
    } == replaced
    assert all(d["relatesTo"][0]["code"] == "replaces" for d in newest)
    assert_r4(current, old)
    one = _get(fhir, f"/fhir/DocumentReference?_id={newest[0]['id']}")
    assert [e["resource"]["id"] for e in one["entry"]] == [newest[0]["id"]]
    assert _get(fhir, f"/fhir/DocumentReference/{newest[0]['id']}")["id"] == newest[0]["id"]


def test_unknown_parameters_are_ignored_unless_strict_handling_is_asked(fhir: Client) -> None:
    lenient = _get(fhir, "/fhir/DocumentReference?_sort=date&language=es&_count=0")
    assert lenient["total"] == 8 and lenient["entry"] == []
    assert "_sort" not in lenient["link"][0]["url"] and "language=es" in lenient["link"][0]["url"]
    strict = fhir.get("/fhir/DocumentReference?subject=Patient/1", headers={"Prefer": "handling=strict"})
    assert strict.status_code == 400 and "subject" in strict.json()["issue"][0]["diagnostics"]
    assert_r4(lenient, strict.json())


def test_search_by_last_updated(fhir: Client) -> None:
    today = dt.datetime.now(dt.UTC).date()
    assert _get(fhir, f"/fhir/DocumentReference?_lastUpdated=gt{today + dt.timedelta(days=2)}")["total"] == 0
    recent = _get(fhir, f"/fhir/DocumentReference?_lastUpdated=ge{today - dt.timedelta(days=2)}&_count=1")
    assert recent["total"] == 16  # 8 translations x 2 formats, all published by the sync
    assert_r4(recent)


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/fhir/DocumentReference?status=draft", 400, "current or superseded"),
        ("/fhir/DocumentReference?event=cpt|99213", 400, "not a code system"),
        ("/fhir/DocumentReference?_lastUpdated=yesterday", 400, "FHIR date"),
        ("/fhir/DocumentReference?_count=101", 400, "_count"),
        ("/fhir/DocumentReference?_format=xml", 400, "JSON"),
        ("/fhir/DocumentReference/handout-999999", 404, "No DocumentReference"),
        ("/fhir/DocumentReference/handout-9999999999", 404, "No DocumentReference"),
        ("/fhir/DocumentReference?_id=page-9999999999", 200, ""),
        ("/fhir/DocumentReference?event=61%0030", 400, "not a code"),
        ("/fhir/DocumentReference?language=e%00s", 400, "language"),
        ("/fhir/DocumentReference/nonsense", 404, "No DocumentReference"),
        ("/fhir/Binary/page-0", 404, "No DocumentReference"),
        ("/fhir/Patient/1", 404, "Not Found"),
    ],
)
def test_errors_are_operation_outcomes(fhir: Client, url: str, status: int, says: str) -> None:
    response = fhir.get(url)
    assert response.status_code == status
    assert response.headers["content-type"] == FHIR_JSON
    body = response.json()
    if status == 200:
        assert body["resourceType"] == "Bundle" and body["total"] == 0
    else:
        assert body["resourceType"] == "OperationOutcome" and says in body["issue"][0]["diagnostics"]
    assert_r4(body)


def _version(review: bool) -> ChartVersion:
    from content.model import Review

    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    return ChartVersion(
        id=7,
        kind="article",
        slug="a",
        locale="en",
        number=1,
        latest=1,
        previous_id=None,
        published_at=now,
        superseded_at=None,
        title="A",
        summary="S",
        codes=(Code(system=RXNORM, code="6130", display="ketamine"),),
        review=Review(reviewed_by="R", reviewed_on=now.date(), next_review_on=now.date()) if review else None,
    )


def test_unreviewed_versions_reach_the_chart_only_where_allowed_and_marked(settings: Settings) -> None:
    from api.chart import ChartFile

    assert offered_to_chart(_version(review=True), settings)
    assert not offered_to_chart(_version(review=False), settings)
    allowing = replace(settings, ehr_offer_unreviewed=True)
    assert offered_to_chart(_version(review=False), allowing)
    file = ChartFile(b"%PDF", "application/pdf", "https://example.org/x.pdf")
    marked = document_reference(_version(review=False), "handout", file, "https://example.org")
    assert marked["docStatus"] == "preliminary" and marked["description"].startswith(
        "Sample: not reviewed by a clinician."
    )
    assert (
        document_reference(_version(review=True), "handout", file, "https://example.org")["docStatus"]
        == "final"
    )
    assert_r4(marked)


def test_by_default_the_chart_is_offered_only_what_a_reviewer_signed_off(
    client: Client, tokens: dict[str, str]
) -> None:
    search = f"/fhir/DocumentReference?event={RXNORM}|6130"
    assert _get(client, search)["total"] == 0  # the whole sample library is unreviewed
    _publish_version_2(client, tokens)  # edited, signed off by a reviewer, published
    found = _get(client, search)
    documents = [entry["resource"] for entry in found["entry"]]
    assert found["total"] == 2 and {d["language"] for d in documents} == {"en"}
    assert all(d["docStatus"] == "final" and d["status"] == "current" for d in documents)
    assert all("ketamine-withdrawal" in d["content"][0]["attachment"]["url"] for d in documents)
    assert_r4(found)


# --- Communication: what each patient was given ------------------------------------------------------


def _given(document: str, **changes: Any) -> dict[str, Any]:
    body = {
        "resourceType": "Communication",
        "status": "completed",
        "subject": {"reference": "Patient/ehr-8842"},
        "encounter": {"reference": "Encounter/visit-77"},
        "sent": "2026-12-05T15:30:00Z",
        "payload": [{"contentReference": {"reference": f"DocumentReference/{document}"}}],
    }
    return body | changes


def _document(client: Client, name: str) -> str:
    """The id of the DocumentReference whose identifier is kind/slug/locale/number/format."""
    bundle = _get(client, "/fhir/DocumentReference?_count=100")
    (found,) = [
        e["resource"]["id"] for e in bundle["entry"] if e["resource"]["identifier"][0]["value"] == name
    ]
    return str(found)


def test_a_record_is_recalled_for_its_version_only(
    fhir: Client, tokens: dict[str, str], ehr_token: str
) -> None:
    ehr, admin = bearer(ehr_token), bearer(tokens["admin"])
    version_1 = _document(fhir, "article/ketamine-withdrawal/en/1/handout")
    made = fhir.post("/fhir/Communication", json=_given(version_1), headers=ehr)
    assert made.status_code == 201, made.text
    assert made.headers["content-type"] == FHIR_JSON and made.headers["location"].endswith(made.json()["id"])
    assert_r4(made.json())
    location = made.headers["location"].removeprefix("http://127.0.0.1:8000")
    assert _get(fhir, location, headers=ehr) == made.json()
    assert fhir.get(location, headers=bearer(tokens["reader"])).status_code == 403
    assert fhir.get("/fhir/Communication/nope", headers=admin).status_code == 404
    _publish_version_2(fhir, tokens)
    version_2 = _document(fhir, "article/ketamine-withdrawal/en/2/handout")

    recall = _get(fhir, f"/fhir/Communication?about=DocumentReference/{version_1}", headers=ehr)
    assert [e["resource"]["subject"]["reference"] for e in recall["entry"]] == ["Patient/ehr-8842"]
    assert recall["entry"][0]["resource"]["encounter"] == {"reference": "Encounter/visit-77"}
    assert recall["entry"][0]["resource"]["payload"][0]["contentReference"]["reference"].endswith(version_1)
    assert_r4(recall)
    # The same version as a web page is the same version: its recall lists the patient too.
    page_1 = _document(fhir, "article/ketamine-withdrawal/en/1/page")
    assert _get(fhir, f"/fhir/Communication?about=DocumentReference/{page_1}", headers=admin)["total"] == 1
    assert _get(fhir, f"/fhir/Communication?about=DocumentReference/{version_2}", headers=ehr)["total"] == 0

    # Withdrawn since (the item archived), the version is still recalled.
    archived = fhir.delete(ARTICLE, headers=bearer(tokens["publisher"]))
    assert archived.status_code in (200, 204), archived.text
    assert fhir.get(f"/fhir/DocumentReference/{version_1}").status_code == 404
    assert _get(fhir, f"/fhir/Communication?about=DocumentReference/{version_1}", headers=ehr)["total"] == 1
    bad = fhir.get("/fhir/Communication?about=Patient/1", headers=ehr)
    assert bad.status_code == 400 and bad.json()["resourceType"] == "OperationOutcome"

    audit = fhir.get("/v1/audit?limit=50", headers=admin).json()["entries"]
    actions = [(e["action"], e["actor"]) for e in audit]
    assert ("record_communication", "chart") in actions and ("read_communications", "chart") in actions
    assert ("read_communications", "admin") in actions
    assert not any("ehr-8842" in e["detail"] for e in audit)  # the audit names no patient


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"subject": {"reference": "Patient/ehr-8842", "display": "Jane Doe"}}, "display"),
        ({"subject": {"reference": "Patient/Jane Doe"}}, "subject"),
        ({"contained": [{"resourceType": "Patient", "name": [{"family": "Doe"}]}]}, "contained"),
        ({"birthDate": "1980-02-03"}, "birthDate"),
        ({"subject": {"reference": "Patient/1980-02-03"}}, "birth date"),
        ({"note": [{"text": "Patient seemed anxious"}]}, "note"),
        ({"payload": [{"contentString": "Take it easy"}]}, "contentString"),
        ({"status": "in-progress"}, "completed"),
        ({"sent": "2999-01-01T00:00:00Z"}, "future"),
        (
            {"payload": [{"contentReference": {"reference": "DocumentReference/handout-999999"}}]},
            "No DocumentReference",
        ),
    ],
)
def test_anything_about_the_patient_but_a_reference_is_refused(
    fhir: Client, ehr_token: str, changes: dict[str, Any], says: str
) -> None:
    response = fhir.post(
        "/fhir/Communication", json=_given("handout-1", **changes), headers=bearer(ehr_token)
    )
    assert response.status_code in (400, 404), response.text
    assert response.headers["content-type"] == FHIR_JSON
    assert says in response.json()["issue"][0]["diagnostics"]
    assert_r4(response.json())


def test_only_the_ehr_role_records_and_only_ehr_or_admin_recall(fhir: Client, tokens: dict[str, str]) -> None:
    body = _given("handout-1")
    assert fhir.post("/fhir/Communication", json=body).status_code == 401
    for role in ("reader", "editor", "publisher", "admin"):
        response = fhir.post("/fhir/Communication", json=body, headers=bearer(tokens[role]))
        assert response.status_code == 403 and response.json()["resourceType"] == "OperationOutcome"
    about = "/fhir/Communication?about=DocumentReference/handout-1"
    assert fhir.get(about, headers=bearer(tokens["reader"])).status_code == 403
    assert fhir.get(about, headers=bearer(tokens["publisher"])).status_code == 403
    assert fhir.get(about).status_code == 401


@pytest.mark.anyio
async def test_records_older_than_the_retention_period_are_deleted(chart_settings: Settings) -> None:
    from content import chart as records
    from content.communications import Communications
    from content.db import create_engine

    engine = create_engine(chart_settings.db_url)
    try:
        (version,) = await records.chart_versions(engine, ids=[1])
        sent = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        given = Communications(engine)
        await given.record(
            version=version,
            document="handout-1",
            subject="Patient/p1",
            encounter=None,
            sent=sent,
            actor="t",
        )
        assert len(await given.recall([1], "test", "t")) == 1
        assert await given.forget(dt.timedelta(days=1)) == 0
        assert await given.forget(dt.timedelta(0)) == 1
        assert await given.recall([1], "test", "t") == []
    finally:
        await engine.dispose()
