"""A FHIR client nobody here wrote (fhirpy) reads Folio over HTTP, from a real `folio serve`."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest
from fhirpy import SyncFHIRClient

from api.settings import Settings
from tests.conftest import folio_server

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_fhirpy_searches_pages_and_downloads(settings: Settings, tmp_path: Path) -> None:
    env = {
        "FOLIO_DATABASE_URL": settings.database_url,
        "FOLIO_DATA_DIR": settings.data_dir,
        "FOLIO_LIBRARY_DIR": settings.library_dir,
        "FOLIO_EHR_OFFER_UNREVIEWED": "true",
        "FOLIO_WEBHOOK_POLL_SECONDS": "3600",
    }
    with folio_server(env, log=tmp_path / "serve.log") as base:
        client = SyncFHIRClient(f"{base}/fhir", extra_headers={"Accept": "application/fhir+json"})

        statement = client.execute("metadata", method="get")
        assert statement["resourceType"] == "CapabilityStatement" and statement["fhirVersion"] == "4.0.1"

        # Two per page, so fhirpy follows `next` links to collect the 8 Spanish documents.
        search = client.resources("DocumentReference").search(event=f"{RXNORM}|6130", language="es").limit(2)
        documents = list(search)
        assert search.count() == 8
        assert len(documents) == 8 and len({d.id for d in documents}) == 8
        assert {d["language"] for d in documents} == {"es"}

        handout = next(
            d for d in documents if d["content"][0]["attachment"]["contentType"] == "application/pdf"
        )
        binary = client.reference("Binary", handout.id).to_resource()
        pdf = base64.b64decode(binary["data"])
        attachment = handout["content"][0]["attachment"]
        direct = httpx.get(attachment["url"])  # the handout route a person opens
        assert direct.status_code == 200 and direct.headers["content-type"] == "application/pdf"
        assert pdf == direct.content and pdf.startswith(b"%PDF") and len(pdf) == attachment["size"]
