"""The committed spec is the one the app generates, and it types content precisely."""

import json
from pathlib import Path

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
    }
    assert schemas["Heading"]["properties"]["type"]["const"] == "heading"
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
PUBLIC_POSTS = {"/v1/emails/digest", "/v1/handouts"}


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
