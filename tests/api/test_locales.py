"""Locales through the API: negotiation, fallback, per-locale history, search, writes and exports."""

from __future__ import annotations

import io
from typing import Any

import pypdf
import pytest
from litestar.testing import TestClient

from tests.api.test_pages import parse
from tests.conftest import bearer

Client = TestClient[Any]
ARTICLE = "/v1/articles/ketamine-withdrawal"
FAQ = "/v1/faqs/ketamine-addiction-faq"
SPANISH = {"Accept-Language": "es"}
# Every bundled item, and a sentence of its Spanish translation's title.
ITEMS = {
    "/v1/articles/ketamine-withdrawal": "Abstinencia de ketamina",
    "/v1/articles/is-ketamine-therapy-addictive": "¿La terapia con ketamina causa adicción?",
    "/v1/faqs/ketamine-addiction-faq": "La terapia con ketamina y la adicción",
    "/v1/comparisons/medical-vs-recreational-ketamine": "La ketamina como tratamiento",
}
ENGLISH_ONLY = {
    "type": "faq",
    "slug": "first-visit-faq",
    "title": "Your first visit",
    "summary": "What to bring on the day.",
    "items": [{"id": "what-to-bring", "question": "What should I bring?", "answer": "Bring your ID."}],
}


def publish_new(client: Client, tokens: dict[str, str], body: dict[str, Any], **publish: Any) -> Any:
    """Create, review and publish an item through the API; the publish response."""
    plural = {"faq": "faqs", "article": "articles", "comparison": "comparisons"}[body["type"]]
    created = client.post(f"/v1/{plural}", json=body, headers=bearer(tokens["editor"]))
    assert created.status_code == 201, created.text
    query = "" if body.get("locale", "en") == "en" else f"?locale={body['locale']}"
    path = f"/v1/{plural}/{body['slug']}"
    reviewed = client.post(
        f"{path}/draft/review{query}",
        json={"nextReviewOn": "2027-10-01"},
        headers=bearer(tokens["reviewer"], **{"If-Match": created.headers["etag"]}),
    )
    assert reviewed.status_code == 200, reviewed.text
    return client.post(
        f"{path}/publish{query}",
        json=publish or None,
        headers=bearer(tokens["publisher"], **{"If-Match": reviewed.headers["etag"]}),
    )


def test_accept_language_es_serves_the_spanish_version(client: Client) -> None:
    response = client.get(ARTICLE, headers=SPANISH)
    assert response.status_code == 200
    assert response.headers["content-language"] == "es"
    assert "Accept-Language" in response.headers["vary"]
    doc = response.json()
    assert doc["locale"] == "es" and doc["fallbackFrom"] is None
    assert doc["title"].startswith("Abstinencia de ketamina")
    assert doc["translations"] == ["en", "es"]
    assert doc["review"]["status"] == "unreviewed"  # its own review: none yet
    english = client.get(ARTICLE)
    assert english.headers["content-language"] == "en" and english.json()["locale"] == "en"
    assert english.headers["etag"] != response.headers["etag"]
    # A cached English ETag never answers a Spanish reader with 304.
    assert (
        client.get(ARTICLE, headers={**SPANISH, "If-None-Match": english.headers["etag"]}).status_code == 200
    )
    assert (
        client.get(ARTICLE, headers={**SPANISH, "If-None-Match": response.headers["etag"]}).status_code == 304
    )


@pytest.mark.parametrize(
    ("headers", "query", "served"),
    [
        ({"Accept-Language": "es-MX,es;q=0.9,en;q=0.8"}, "", "es"),  # RFC 4647 lookup: es-MX -> es
        ({"Accept-Language": "fr-CA, es;q=0.5"}, "", "es"),  # no French: the next range
        ({"Accept-Language": "fr, de"}, "", "en"),  # nothing supported: the default
        ({"Accept-Language": "es;q=0, en"}, "", "en"),  # q=0 means "not this"
        ({"Accept-Language": "en"}, "?locale=es", "es"),  # ?locale= wins
        ({}, "?locale=es-AR", "es"),
    ],
)
def test_negotiation(client: Client, headers: dict[str, str], query: str, served: str) -> None:
    response = client.get(ARTICLE + query, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-language"] == served == response.json()["locale"]


def test_a_missing_translation_falls_back_to_english_and_says_so(
    client: Client, tokens: dict[str, str]
) -> None:
    assert publish_new(client, tokens, ENGLISH_ONLY).status_code == 200
    response = client.get("/v1/faqs/first-visit-faq", headers=SPANISH)
    assert response.status_code == 200
    assert response.headers["content-language"] == "en"
    assert "Accept-Language" in response.headers["vary"]
    doc = response.json()
    assert doc["locale"] == "en" and doc["fallbackFrom"] == "es" and doc["translations"] == ["en"]
    assert client.get("/v1/faqs/first-visit-faq").json()["fallbackFrom"] is None
    # Lists say it too: each item once, in the best locale it has.
    listed = {i["slug"]: i for i in client.get("/v1/faqs", headers=SPANISH).json()["items"]}
    assert (listed["first-visit-faq"]["locale"], listed["first-visit-faq"]["fallbackFrom"]) == ("en", "es")
    assert (listed["ketamine-addiction-faq"]["locale"], listed["ketamine-addiction-faq"]["fallbackFrom"]) == (
        "es",
        None,
    )
    # Its exports are the English ones, and say so.
    page = client.get("/faqs/first-visit-faq", headers=SPANISH)
    assert page.headers["content-language"] == "en"
    [root] = [a for t, a in parse(page.text).tags if t == "html"]
    assert root["lang"] == "en"
    # Fallback text is never written into a Spanish draft: there is nothing to start one from.
    started = client.post("/v1/faqs/first-visit-faq/draft?locale=es", headers=bearer(tokens["editor"]))
    assert started.status_code == 404
    assert (
        client.get("/v1/faqs/first-visit-faq/draft?locale=es", headers=bearer(tokens["editor"])).status_code
        == 404
    )


def test_a_translation_is_created_reviewed_and_published_on_its_own(
    client: Client, tokens: dict[str, str]
) -> None:
    assert publish_new(client, tokens, ENGLISH_ONLY).status_code == 200
    spanish = ENGLISH_ONLY | {
        "locale": "es",
        "title": "Su primera visita",
        "summary": "Qué traer ese día.",
        "items": [
            {"id": "what-to-bring", "question": "¿Qué debo traer?", "answer": "Traiga su identificación."}
        ],
    }
    published = publish_new(client, tokens, spanish)
    assert published.status_code == 200, published.text
    assert published.headers["location"].endswith("/v1/faqs/first-visit-faq/versions/1?locale=es")
    doc = client.get("/v1/faqs/first-visit-faq", headers=SPANISH).json()
    assert (doc["locale"], doc["version"], doc["fallbackFrom"]) == ("es", 1, None)
    assert doc["review"]["reviewedBy"].startswith("Dr Reviewer")
    assert client.get("/v1/faqs/first-visit-faq").json()["title"] == "Your first visit"
    # A second Spanish translation of the same item is refused.
    again = client.post("/v1/faqs", json=spanish, headers=bearer(tokens["editor"]))
    assert again.status_code == 409


def test_versions_and_diffs_count_per_translation(client: Client, tokens: dict[str, str]) -> None:
    editor = bearer(tokens["editor"])
    started = client.post(FAQ + "/draft?locale=es", headers=editor)
    assert started.status_code == 201 and started.headers["content-language"] == "es"
    draft = started.json()
    assert draft["locale"] == "es" and draft["draft"]["readability"]["fernandezHuerta"] >= 60
    body = {k: v for k, v in draft.items() if k not in ("draft", "review")}
    body["items"][0]["answer"] = "Sí, pero es raro."
    put = client.put(
        FAQ + "/draft?locale=es",
        json=body,
        headers=bearer(tokens["editor"], **{"If-Match": started.headers["etag"]}),
    )
    assert put.status_code == 200, put.text
    wrong = client.put(
        FAQ + "/draft?locale=en",
        json=body,
        headers=bearer(tokens["editor"], **{"If-Match": put.headers["etag"]}),
    )
    assert wrong.status_code == 400
    reviewed = client.post(
        FAQ + "/draft/review?locale=es",
        json={"nextReviewOn": "2027-10-01"},
        headers=bearer(tokens["reviewer"], **{"If-Match": put.headers["etag"]}),
    )
    done = client.post(
        FAQ + "/publish?locale=es",
        headers=bearer(tokens["publisher"], **{"If-Match": reviewed.headers["etag"]}),
    )
    assert done.status_code == 200, done.text
    assert done.json()["version"] == 2 and done.json()["locale"] == "es"
    es_versions = client.get(FAQ + "/versions", headers=SPANISH).json()
    assert es_versions["locale"] == "es" and [v["version"] for v in es_versions["versions"]] == [2, 1]
    assert [v["version"] for v in client.get(FAQ + "/versions").json()["versions"]] == [1]
    diff = client.get(FAQ + "/diff?from=1&to=2&locale=es")
    assert diff.status_code == 200 and diff.headers["content-language"] == "es"
    assert "Sí, pero es raro." in diff.text
    assert client.get(FAQ + "/diff?from=1&to=2").status_code == 404  # English has no version 2
    # The Spanish article that embeds the FAQ now pins its new Spanish version; the English one is untouched.
    article = client.get("/v1/articles/is-ketamine-therapy-addictive", headers=SPANISH).json()
    assert {"type": "faq", "slug": "ketamine-addiction-faq", "version": 2, "locale": "es"} in article[
        "embeds"
    ]
    assert client.get("/v1/articles/is-ketamine-therapy-addictive").json()["version"] == 1
    entries = client.get("/v1/audit?action=publish", headers=bearer(tokens["admin"])).json()["entries"]
    assert (entries[0]["slug"], entries[0]["locale"]) == ("ketamine-addiction-faq", "es")


def test_search_per_locale(client: Client) -> None:
    spanish = client.get("/v1/search?q=abstinencia", headers=SPANISH)
    assert spanish.headers["content-language"] == "es"
    hits = spanish.json()["results"]
    assert hits and hits[0]["slug"] == "ketamine-withdrawal" and {h["locale"] for h in hits} == {"es"}
    assert spanish.json()["locale"] == "es"
    # Spanish word forms: the singular finds the plural (stemming on PostgreSQL, Porter's -s on SQLite).
    assert client.get("/v1/search?q=paciente&locale=es").json()["results"]
    english = client.get("/v1/search?q=withdrawal").json()["results"]
    assert english and {h["locale"] for h in english} == {"en"}
    assert client.get("/v1/search?q=abstinencia").json()["results"] == []
    # A locale Folio has no translations in searches the one it falls back to, and says so.
    german = client.get("/v1/search?q=withdrawal&locale=de")
    assert german.headers["content-language"] == "en" and german.json()["locale"] == "en"
    assert [h["slug"] for h in german.json()["results"]] == [h["slug"] for h in english]


def test_every_version_reports_its_reading_level(client: Client) -> None:
    for path in ITEMS:
        english = client.get(path).json()["readability"]
        assert english["locale"] == "en" and english["fleschKincaidGrade"] <= 8, path
        assert english["smog"] is not None and english["fernandezHuerta"] is None
        spanish = client.get(path, headers=SPANISH).json()["readability"]
        assert spanish["locale"] == "es" and spanish["fernandezHuerta"] >= 60, path
        assert spanish["fleschKincaidGrade"] is None and spanish["szigrisztPazos"] is not None


HARD = {
    "type": "faq",
    "slug": "pharmacology-faq",
    "title": "Pharmacological considerations regarding N-methyl-D-aspartate receptor antagonism",
    "summary": "Comprehensive pharmacokinetic characterization necessitates individualized administration.",
    "items": [
        {
            "id": "mechanism",
            "question": "What is the pharmacodynamic mechanism?",
            "answer": "Subanesthetic concentrations of racemic ketamine produce glutamatergic modulation "
            "through noncompetitive antagonism of N-methyl-D-aspartate receptors, consequently "
            "facilitating synaptogenesis, neuroplasticity and rapid antidepressant responsiveness "
            "in treatment-resistant populations characterized by anhedonic symptomatology.",
        }
    ],
}
# Long enough to grade (100 words): three entries of the same hard answer.
HARD["items"] = [item | {"id": f"mechanism-{n}"} for n in range(3) for item in HARD["items"]]  # type: ignore[operator]


def test_a_draft_above_the_grade_needs_an_override_note(client: Client, tokens: dict[str, str]) -> None:
    refused = publish_new(client, tokens, HARD)
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    detail = refused.json()["detail"]
    assert "Flesch-Kincaid grade" in detail and "above the maximum of 8" in detail and "override" in detail
    draft = client.get("/v1/faqs/pharmacology-faq/draft", headers=bearer(tokens["reader"])).json()
    grade = draft["draft"]["readability"]["fleschKincaidGrade"]
    assert grade > 8 and f"grade {grade:g}" in detail
    assert client.get("/v1/faqs/pharmacology-faq").status_code == 404
    etag = client.get("/v1/faqs/pharmacology-faq/draft", headers=bearer(tokens["reader"])).headers["etag"]
    done = client.post(
        "/v1/faqs/pharmacology-faq/publish",
        json={"note": "For prescribers", "override": "Written for referring clinicians, not patients."},
        headers=bearer(tokens["publisher"], **{"If-Match": etag}),
    )
    assert done.status_code == 200, done.text
    assert done.json()["readability"]["fleschKincaidGrade"] == grade
    [entry] = client.get("/v1/audit?action=override_readability", headers=bearer(tokens["admin"])).json()[
        "entries"
    ]
    assert entry["slug"] == "pharmacology-faq" and entry["version"] == 1 and entry["actor"] == "publisher"
    assert "Written for referring clinicians" in entry["detail"] and f"grade {grade:g}" in entry["detail"]


def test_a_spanish_draft_is_held_to_the_equivalent_spanish_score(
    client: Client, tokens: dict[str, str]
) -> None:
    hard = HARD | {
        "locale": "es",
        "slug": "farmacologia-faq",
        "title": "Consideraciones farmacológicas relativas al antagonismo de receptores glutamatérgicos",
        "summary": "La caracterización farmacocinética exhaustiva necesita administración individualizada.",
        "items": [
            {
                "question": "¿Cuál es el mecanismo farmacodinámico?",
                "answer": "Las concentraciones subanestésicas de ketamina racémica producen modulación "
                "glutamatérgica mediante antagonismo no competitivo de receptores, facilitando "
                "consecuentemente sinaptogénesis, neuroplasticidad y respuestas antidepresivas rápidas.",
                "id": f"mecanismo-{n}",
            }
            for n in range(4)
        ],
    }
    refused = publish_new(client, tokens, hard)
    assert refused.status_code == 409
    assert (
        "Fernández-Huerta score" in refused.json()["detail"] and "minimum of 60" in refused.json()["detail"]
    )


def _pdf(content: bytes) -> tuple[str, Any]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages), reader


@pytest.mark.parametrize("path", list(ITEMS))
def test_every_spanish_handout_prints_spanish(client: Client, path: str) -> None:
    response = client.get(path + "/handout.pdf", headers=SPANISH)
    assert response.status_code == 200 and response.headers["content-language"] == "es"
    assert "Accept-Language" in response.headers["vary"]
    assert response.headers["content-disposition"].endswith('-v1-es.pdf"')
    text, reader = _pdf(response.content)
    assert reader.trailer["/Root"]["/Lang"] == "es"
    assert ITEMS[path] in text
    assert "Versión 1 · Muestra: sin revisión de un profesional clínico · Impreso" in text
    assert "Revisado" not in text and "Equipo de revisión clínica" not in text
    assert (
        "Página 1 de" in text and "EN RESUMEN" in text and "Preguntas para su equipo de atención" in text
    )
    assert "?version=1&locale=es" in text  # the address under the QR code, never hyphenated
    assert "Esta hoja es información general para pacientes" in text
    for english in ("Version 1", "Reviewed", "Printed", "Page 1 of", "In short", "This handout is general"):
        assert english not in text, english
    assert response.headers["etag"] != client.get(path + "/handout.pdf").headers["etag"]


@pytest.mark.parametrize("path", list(ITEMS))
def test_every_spanish_email_and_page_is_spanish(client: Client, path: str) -> None:
    email = client.get(path + "/email", headers=SPANISH)
    assert email.headers["content-language"] == "es"
    doc = email.json()
    assert doc["subject"].startswith(ITEMS[path][:12])
    text = " ".join(doc["text"].split())
    assert text.startswith("Hola, MUESTRA: SIN REVISIÓN DE UN PROFESIONAL CLÍNICO.")
    assert "Revisado" not in text
    assert "Leer en línea:" in text and "Le envía este correo" in text and "Teléfono:" in text
    assert "Solicitar una cita" in text  # the brand's Spanish call to action
    assert "Darse de baja de estos correos:" in text and "Este correo es información general" in text
    for english in ("Hello", "Reviewed", "Read online", "Unsubscribe", "This email", "Request an"):
        assert english not in text, english
    [root] = [a for t, a in parse(doc["html"]).tags if t == "html"]
    assert root["lang"] == "es"
    assert "Content-Language: es" in client.get(path + "/email.eml", headers=SPANISH).text
    page_path = path.removeprefix("/v1")
    page = client.get(page_path, headers=SPANISH)
    assert page.headers["content-language"] == "es"
    html = parse(page.text)
    [root] = [a for t, a in html.tags if t == "html"]
    assert root["lang"] == "es"
    words = html.words()
    assert "Muestra: sin revisión de un profesional clínico." in words and "También en" in words
    assert "Revisado" not in words and "lastReviewed" not in page.text
    # It links its English translation: for search engines (hreflang) and for people.
    alternates = [a for t, a in html.tags if t == "link" and a.get("rel") == "alternate"]
    assert [(a["hreflang"], a["href"].rsplit("/", 2)[-1]) for a in alternates] == [
        ("es", page_path.rsplit("/", 1)[1] + "?locale=es"),  # itself, as hreflang sets must include
        ("en", page_path.rsplit("/", 1)[1] + "?locale=en"),
    ]
    links = [a for t, a in html.tags if t == "a" and a.get("hreflang") == "en"]
    assert links and links[0]["href"] == page_path + "?locale=en" and links[0]["lang"] == "en"
    assert "English" in words


def test_a_spanish_digest_is_spanish(client: Client) -> None:
    body = {
        "subject": "Novedades",
        "intro": "Lo nuevo este mes.",
        "items": [{"type": "article", "slug": "ketamine-withdrawal", "locale": "es"}],
    }
    response = client.post("/v1/emails/digest", json=body)
    assert response.status_code == 201, response.text
    assert response.headers["content-language"] == "es"
    doc = response.json()
    text = " ".join(doc["text"].split())
    assert "Leer: Abstinencia de ketamina" in text and "Darse de baja de estos correos" in text
    [root] = [a for t, a in parse(doc["html"]).tags if t == "html"]
    assert root["lang"] == "es"


@pytest.mark.parametrize("path", [ARTICLE, "/v1/articles", "/v1/search?q=ketamina", ARTICLE + "/handout.pdf"])
def test_a_malformed_locale_is_a_problem_naming_the_field(client: Client, path: str) -> None:
    sep = "&" if "?" in path else "?"
    response = client.get(f"{path}{sep}locale=xx-invalid")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["name"] for e in response.json()["errors"]] == ["locale"]


def test_a_spanish_article_pins_the_spanish_translations_it_embeds(client: Client) -> None:
    spanish = client.get("/v1/articles/is-ketamine-therapy-addictive?locale=es&include=embeds").json()
    assert spanish["embeds"] and {e["locale"] for e in spanish["embeds"]} == {"es"}
    assert {e["locale"] for e in spanish["included"]} == {"es"}
    english = client.get("/v1/articles/is-ketamine-therapy-addictive").json()
    assert {e["locale"] for e in english["embeds"]} == {"en"}
