"""The committed spec is the one the app generates, and it types content precisely."""

import json
from pathlib import Path
from typing import Any

from api.cli import OPENAPI_PATH, openapi_text

ROOT = Path(__file__).resolve().parents[2]


def test_committed_spec_matches_the_app() -> None:
    committed = (ROOT / OPENAPI_PATH).read_text(encoding="utf-8")
    assert committed == openapi_text(), "openapi/openapi.json drifted: run `make openapi`"


def test_content_schemas_are_precise() -> None:
    spec = json.loads(openapi_text())
    schemas = spec["components"]["schemas"]
    article = schemas["PublishedArticle"]
    assert article["properties"]["body"]["items"]["oneOf"]  # the block union, not a bare object
    block_refs = {ref["$ref"].rsplit("/", 1)[1] for ref in article["properties"]["body"]["items"]["oneOf"]}
    assert block_refs == {
        "Heading",
        "Paragraph",
        "List",
        "Callout",
        "ComparisonEmbed",
        "FaqEmbed",
        "Cta",
        "Image",
    }
    assert schemas["Heading"]["properties"]["type"]["const"] == "heading"
    assert schemas["Image"]["properties"]["media"]["pattern"] == "^[0-9a-f]{64}$"
    get_article = spec["paths"]["/v1/articles/{slug}"]["get"]
    ok = get_article["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/PublishedArticle"}
    problem = get_article["responses"]["404"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}


def test_docs_page_and_spec_are_served(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/docs").status_code == 200
    served = client.get("/docs/openapi.json").json()
    assert served["paths"].keys() == json.loads(openapi_text())["paths"].keys()


# POSTs that build something from published content and change nothing: open to everyone.
# Public: content exports, and CDS Hooks cards (which read only the request and published content).
PUBLIC_POSTS = {"/v1/emails/digest", "/v1/handouts", "/cds-services/folio-patient-education"}


def test_write_routes_declare_bearer_security() -> None:
    spec = json.loads(openapi_text())
    scheme = spec["components"]["securitySchemes"]["bearer"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    writes = [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in ("post", "put", "delete") and path not in PUBLIC_POSTS
    ]
    assert len(writes) >= 30
    for path, method, op in writes:
        assert op.get("security") == [{"bearer": []}], (method, path)
        assert {"401", "403"} <= op["responses"].keys(), (method, path)
    assert spec["paths"]["/v1/articles/{slug}/draft"]["put"]["requestBody"]["content"]["application/json"][
        "schema"
    ] == {"$ref": "#/components/schemas/Article"}


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        kind, name = node["$ref"].split("/")[-2:]
        return spec["components"][kind][name]  # type: ignore[no-any-return]
    return node


def test_spec_declares_the_http_headers_routes_use() -> None:
    spec = json.loads(openapi_text())
    paths = spec["paths"]

    def params(path: str, method: str) -> dict[str, dict[str, Any]]:
        found = [_resolve(spec, p) for p in paths[path][method].get("parameters", [])]
        return {p["name"]: p for p in found if p["in"] == "header"}

    def headers(path: str, method: str, status: str) -> set[str]:
        return set(paths[path][method]["responses"][status].get("headers", {}))

    put = params("/v1/articles/{slug}/draft", "put")
    assert put["If-Match"]["required"] is True
    for path, item in paths.items():
        if "get" in item and path != "/metrics":
            assert "If-None-Match" in params(path, "get"), path
            assert {"ETag", "Cache-Control", "Vary"} <= headers(path, "get", "200"), path
            assert "304" in item["get"]["responses"], path
    assert "Link" in headers("/v1/articles", "get", "200")
    assert "Content-Language" in headers("/v1/articles/{slug}", "get", "200")
    assert "Location" in headers("/v1/articles", "post", "201")
    assert "Location" in headers("/v1/articles/{slug}/publish", "post", "200")
    assert "Retry-After" in headers("/v1/articles/{slug}/handout.pdf", "get", "503")


def test_spec_names_every_media_type_without_examples() -> None:
    text = openapi_text()
    spec = json.loads(text)
    paths = spec["paths"]

    def content(path: str, method: str = "get") -> dict[str, Any]:
        return paths[path][method]["responses"]["200"]["content"]  # type: ignore[no-any-return]

    binary = {"type": "string", "format": "binary"}
    assert content("/v1/articles/{slug}/handout.pdf") == {"application/pdf": {"schema": binary}}
    assert content("/v1/handouts", "post") == {"application/pdf": {"schema": binary}}
    assert content("/v1/faqs/{slug}/email.eml") == {"message/rfc822": {"schema": binary}}
    assert list(content("/v1/faqs/{slug}/email.html")) == ["text/html"]
    assert list(content("/v1/faqs/{slug}/email.txt")) == ["text/plain"]
    assert '"example' not in text  # nothing random (a Problem once showed "status": 4707)
