"""GET /infobutton answers HL7 URL-based Infobutton requests as MedlinePlus Connect does."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient
from msgspec.structs import replace

from api.app import create_app
from api.settings import Settings

Client = TestClient[Any]
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
KETAMINE = {"mainSearchCriteria.v.c": "6130", "mainSearchCriteria.v.cs": "2.16.840.1.113883.6.88"}
BASE = "http://127.0.0.1:8000"


@pytest.fixture
def client(settings: Settings) -> Iterator[Client]:
    # Unreviewed versions offered explicitly: the answers hold whatever the library's review status.
    chart = replace(settings, ehr_offer_unreviewed=True, locales="en,es,pt", fallback="es:en,pt:en")
    with TestClient(create_app(chart)) as test_client:
        yield test_client


def test_json_in_spanish_lists_the_spanish_items_with_links_that_open_them(client: Client) -> None:
    """The issue's acceptance request, as curl sends it."""
    response = client.get(
        "/infobutton?mainSearchCriteria.v.c=6130&mainSearchCriteria.v.cs=2.16.840.1.113883.6.88"
        "&knowledgeResponseType=application/json&informationRecipient.languageCode.c=es"
    )
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    feed = response.json()["feed"]
    assert feed["lang"] == "es"
    assert {"scheme": "mainSearchCriteria.v.c", "term": "6130"} in feed["category"]
    entries = feed["entry"]
    assert len(entries) == 4 and {e["lang"] for e in entries} == {"es"}
    titles = {e["title"]["_value"] for e in entries}
    assert "Abstinencia de ketamina: ¿deben preocuparse los pacientes en terapia?" in titles
    for entry in entries:
        assert {"scheme": "urn:folio:version", "term": "1"} in entry["category"]
        assert not any(c["scheme"] == "urn:folio:fallbackFrom" for c in entry["category"])
        page, handout = entry["link"]
        assert page["rel"] == "alternate" and page["hreflang"] == "es"
        opened = client.get(page["href"].removeprefix(BASE))
        assert opened.status_code == 200 and opened.headers["content-language"] == "es"
        assert '<html lang="es"' in opened.text and entry["title"]["_value"] in opened.text
        assert handout["type"] == "application/pdf" and "locale=es" in handout["href"]
        # Sample content, offered because the setting allows it: marked, in Spanish.
        assert entry["summary"]["_value"].startswith("Muestra: sin revisión de un profesional clínico. ")


def test_atom_xml_is_the_default(client: Client) -> None:
    response = client.get("/infobutton", params=KETAMINE | {"mainSearchCriteria.v.dn": "ketamine"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed" and feed.get(XML_LANG) == "en"
    assert feed.findtext(f"{ATOM}subtitle") == "Patient education for ketamine (RxNorm 6130)"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 4
    for entry in entries:
        assert entry.get(XML_LANG) == "en"
        assert entry.findtext(f"{ATOM}title") and entry.findtext(f"{ATOM}summary")
        links = {link.get("rel"): link for link in entry.findall(f"{ATOM}link")}
        assert links["alternate"].get("type") == "text/html"
        assert links["related"].get("type") == "application/pdf"
        assert client.get(links["related"].get("href", "").removeprefix(BASE)).status_code == 200
        versions = [
            c.get("term") for c in entry.findall(f"{ATOM}category") if c.get("scheme") == "urn:folio:version"
        ]
        assert versions == ["1"]


def test_a_missing_translation_falls_back_and_each_entry_says_so(client: Client) -> None:
    params = KETAMINE | {
        "informationRecipient.languageCode.c": "pt",
        "knowledgeResponseType": "application/json",
    }
    entries = client.get("/infobutton", params=params).json()["feed"]["entry"]
    assert len(entries) == 4
    for entry in entries:
        assert entry["lang"] == "en"
        assert {"scheme": "urn:folio:fallbackFrom", "term": "pt"} in entry["category"]
        # The sample library is unreviewed (offered because the setting allows it), and says so first.
        assert entry["summary"]["_value"].startswith(
            "Sample: not reviewed by a clinician. Not available in 'pt'; this is the 'en' version."
        )


def test_a_code_nothing_carries_answers_an_empty_feed(client: Client) -> None:
    params = {"mainSearchCriteria.v.c": "73211009", "mainSearchCriteria.v.cs": "2.16.840.1.113883.6.96"}
    feed = ET.fromstring(client.get("/infobutton", params=params | {"informationRecipient": "PROV"}).content)
    assert feed.findall(f"{ATOM}entry") == []


@pytest.mark.parametrize(
    ("params", "field", "says"),
    [
        ({"mainSearchCriteria.v.cs": "2.16.840.1.113883.6.88"}, "mainSearchCriteria.v.c", "Name the code"),
        ({"mainSearchCriteria.v.c": "6130"}, "mainSearchCriteria.v.cs", "OID"),
        (
            KETAMINE | {"mainSearchCriteria.v.cs": "2.16.840.1.113883.6.103"},
            "mainSearchCriteria.v.cs",
            "ICD-10-CM",
        ),
        (KETAMINE | {"mainSearchCriteria.v.c": "ketamine"}, "mainSearchCriteria.v.c", "RxNorm"),
        (
            KETAMINE | {"informationRecipient.languageCode.c": "fr"},
            "informationRecipient.languageCode.c",
            "en, es",
        ),
        (KETAMINE | {"informationRecipient": "NURSE"}, "informationRecipient", "PAT"),
        (KETAMINE | {"mainSearchCriteria.v.dn": "k" * 201}, "mainSearchCriteria.v.dn", "200 characters"),
    ],
)
@pytest.mark.parametrize("response_type", ["text/xml", "application/json"])
def test_bad_parameters_get_a_clear_error_in_the_format_asked_for(
    client: Client, params: dict[str, str], field: str, says: str, response_type: str
) -> None:
    response = client.get("/infobutton", params=params | {"knowledgeResponseType": response_type})
    assert response.status_code == 400
    if response_type == "application/json":
        assert response.headers["content-type"] == "application/problem+json"
        assert says in response.json()["detail"]
    else:
        assert response.headers["content-type"].startswith("application/problem+xml")
        problem = ET.fromstring(response.content)
        ns = "{urn:ietf:rfc:7807}"
        assert problem.findtext(f"{ns}status") == "400" and says in (problem.findtext(f"{ns}detail") or "")
        assert problem.findtext(f"{ns}parameter") == field


def test_an_unknown_response_type_is_an_xml_error(client: Client) -> None:
    response = client.get(
        "/infobutton", params=KETAMINE | {"knowledgeResponseType": "application/javascript"}
    )
    assert response.status_code == 400 and response.headers["content-type"].startswith(
        "application/problem+xml"
    )
    assert b"text/xml, application/json" in response.content


def test_a_publish_is_answered_at_once_though_answers_are_kept(
    client: Client, tokens: dict[str, str]
) -> None:
    from tests.api.test_fhir import _publish_version_2

    params = KETAMINE | {"knowledgeResponseType": "application/json"}
    for _ in range(2):  # the second answer may come from the response store
        titles = {
            e["title"]["_value"] for e in client.get("/infobutton", params=params).json()["feed"]["entry"]
        }
        assert "Ketamine withdrawal, revised" not in titles
    _publish_version_2(client, tokens)
    entries = client.get("/infobutton", params=params).json()["feed"]["entry"]
    revised = [e for e in entries if e["title"]["_value"] == "Ketamine withdrawal, revised"]
    assert len(revised) == 1 and {"scheme": "urn:folio:version", "term": "2"} in revised[0]["category"]
