"""Clinical codes through the API and the desk; the ``ehr`` role reads nothing unpublished."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.api.test_desk import _session
from tests.conftest import bearer

Client = TestClient[Any]
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
KETAMINE = {"system": RXNORM, "code": "6130", "display": "ketamine"}


def test_items_carry_their_codes(client: Client) -> None:
    for locale in ("en", "es"):
        item = client.get(f"/v1/articles/ketamine-withdrawal?locale={locale}").json()
        assert item["codes"] == [KETAMINE]


@pytest.mark.parametrize("code", ["6130", "rxnorm|6130", f"{RXNORM}|6130", "2.16.840.1.113883.6.88|6130"])
def test_lists_filter_by_code(client: Client, code: str) -> None:
    listed = client.get("/v1/articles", params={"code": code, "locale": "es"}).json()["items"]
    assert [(i["slug"], i["locale"]) for i in listed] == [
        ("is-ketamine-therapy-addictive", "es"),
        ("ketamine-withdrawal", "es"),
    ]


def test_a_code_nothing_carries_lists_nothing(client: Client) -> None:
    assert client.get("/v1/faqs", params={"code": "snomed|73211009"}).json()["items"] == []


def test_an_unknown_code_system_is_a_clear_400(client: Client) -> None:
    response = client.get("/v1/articles", params={"code": "cpt|99213"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "not a code system Folio knows" in response.text


def test_a_draft_with_a_malformed_code_is_refused(client: Client, tokens: dict[str, str]) -> None:
    path = "/v1/articles/ketamine-withdrawal"
    started = client.post(path + "/draft", headers=bearer(tokens["editor"]))
    draft = {k: v for k, v in started.json().items() if k not in ("draft", "review")}
    draft["codes"] = [KETAMINE, {"system": "http://loinc.org", "code": "2345-6", "display": "Glucose"}]
    response = client.put(
        path + "/draft", json=draft, headers=bearer(tokens["editor"], **{"If-Match": started.headers["etag"]})
    )
    assert response.status_code == 400, response.text
    assert "$.codes[1].code" in response.text and "LOINC" in response.text


def test_the_desk_shows_and_edits_codes(client: Client, tokens: dict[str, str]) -> None:
    base = "/desk/articles/ketamine-withdrawal"
    assert "RxNorm 6130</span> ketamine" in client.get(base).text
    csrf = _session(client, tokens["editor"])
    client.post(f"{base}/draft/start", data={"csrf": csrf}, follow_redirects=False)
    edit = client.get(f"{base}/draft/edit").text
    assert re.search(r'<textarea id="f-codes" name="codes"[^>]*>rxnorm 6130 ketamine</textarea>', edit)
    etag = re.search(r'name="etag" value="([^"]+)"', edit)[1]  # type: ignore[index]
    fields = {
        name: html.unescape(re.search(pattern, edit, re.S)[1])  # type: ignore[index]
        for name, pattern in [
            ("title", r'id="f-title" name="title" value="([^"]+)"'),
            ("summary", r'name="summary"[^>]*>([^<]+)</textarea>'),
            ("body", r'name="body"[^>]*>([^<]+)</textarea>'),
        ]
    }
    form = fields | {"csrf": csrf, "etag": etag, "action": "save", "locale": "en"}
    bad = client.post(f"{base}/draft/edit", data=form | {"codes": "snomed 73211008 Diabetes"})
    assert bad.status_code == 400 and "SNOMED CT" in bad.text
    good = client.post(
        f"{base}/draft/edit",
        data=form | {"codes": "rxnorm 6130 ketamine\nloinc 2345-7 Glucose"},
        follow_redirects=False,
    )
    assert good.status_code == 303, good.text
    draft = client.get("/v1/articles/ketamine-withdrawal/draft", headers=bearer(tokens["editor"])).json()
    glucose = {"system": "http://loinc.org", "code": "2345-7", "display": "Glucose"}
    assert draft["codes"] == [KETAMINE, glucose]


def test_the_ehr_role_reads_published_content_and_nothing_else(
    client: Client, tokens: dict[str, str], ehr_token: str
) -> None:
    ehr = bearer(ehr_token)
    assert client.get("/v1/articles/ketamine-withdrawal", headers=ehr).status_code == 200
    assert client.get("/v1/articles/ketamine-withdrawal/handout.pdf", headers=ehr).status_code == 200
    client.post("/v1/articles/ketamine-withdrawal/draft", headers=bearer(tokens["editor"]))
    for method, path in [
        ("GET", "/v1/articles/ketamine-withdrawal/draft"),
        ("POST", "/v1/faqs/ketamine-addiction-faq/draft"),
        ("GET", "/v1/tokens"),
        ("GET", "/v1/audit"),
    ]:
        response = client.request(method, path, headers=ehr)
        assert response.status_code == 403, (method, path, response.text)
        assert "the token has ehr" in response.json()["detail"]


def test_an_ehr_token_cannot_sign_in_to_the_desk(client: Client, ehr_token: str) -> None:
    form = client.get("/desk/signin").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)[1]  # type: ignore[index]
    response = client.post("/desk/signin", data={"csrf": csrf, "token": ehr_token}, follow_redirects=False)
    assert response.status_code != 303
    assert "folio_session" not in response.cookies


def test_an_admin_creates_an_ehr_token_through_the_api(client: Client, tokens: dict[str, str]) -> None:
    made = client.post(
        "/v1/tokens",
        json={"name": "epic", "displayName": "Clinic EHR", "role": "ehr"},
        headers=bearer(tokens["admin"]),
    )
    assert made.status_code == 201 and made.json()["role"] == "ehr"
    denied = client.get("/v1/articles/ketamine-withdrawal/draft", headers=bearer(made.json()["token"]))
    assert denied.status_code == 403
