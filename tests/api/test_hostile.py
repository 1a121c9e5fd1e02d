"""Hostile input through every kind and channel: a clear 4xx that changes nothing, never a 5xx.

Control characters, NUL, huge integers, bad encodings, over-deep and oversized bodies on both
stores; markup and link schemes through the JSON, email and PDF channels of every kind.
"""

import io
import json
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pypdf
import pytest
from litestar.testing import TestClient

from tests.conftest import bearer

Client = TestClient[Any]
ALLOWED = {"https", "http", "mailto", "tel"}
LINE_BREAKS = ["\n", "\r\n", "\u2028", "\u2029", "\x85", "\v", "\f", "\t", "\x00", "\x1b"]
HUGE = [2**31, 2**63, 10**20, 2**70]

ARTICLE = {
    "slug": "hostile-article",
    "title": "A hostile article",
    "summary": "Checks what survives.",
    "tags": ["hostile"],
    "body": [
        {"type": "heading", "level": 2, "text": "Heading"},
        {"type": "paragraph", "text": "Plain text."},
        {"type": "callout", "tone": "info", "title": "Note", "text": "Callout."},
        {"type": "cta", "label": "Book", "url": "brand:appointment"},
    ],
}
FAQ = {
    "slug": "hostile-faq",
    "title": "A hostile FAQ",
    "summary": "Questions.",
    "items": [{"id": "one", "question": "Why?", "answer": "Because."}],
}
COMPARISON = {
    "slug": "hostile-comparison",
    "title": "A hostile comparison",
    "summary": "Side by side.",
    "subjects": ["Left", "Right"],
    "rows": [{"factor": "Size", "values": ["Big", "Small"]}],
}
KINDS = {"articles": ARTICLE, "faqs": FAQ, "comparisons": COMPARISON}

# Single-line fields of each kind, as a path into the body and the field name errors use.
SINGLE_LINE_FIELDS = [
    ("articles", ("title",), "$.title"),
    ("articles", ("body", 2, "title"), "$.body[2].title"),
    ("articles", ("body", 3, "label"), "$.body[3].label"),
    ("faqs", ("items", 0, "question"), "$.items[0].question"),
    ("comparisons", ("subjects", 0), "$.subjects[0]"),
    ("comparisons", ("rows", 0, "factor"), "$.rows[0].factor"),
    ("comparisons", ("title",), "$.title"),
]
# Multi-line text may hold line breaks, never NUL (which PostgreSQL cannot store).
TEXT_FIELDS = [
    ("articles", ("summary",), "$.summary"),
    ("articles", ("body", 1, "text"), "$.body[1].text"),
    ("faqs", ("items", 0, "answer"), "$.items[0].answer"),
    ("comparisons", ("rows", 0, "values", 1), "$.rows[0].values[1]"),
]


def _with(body: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    copy = json.loads(json.dumps(body))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return copy


def _problem(response: Any, status: int, name: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status and problem["type"] == "about:blank"
    if name is not None:
        assert name in [e["name"] for e in problem["errors"]], problem
    return problem


def _publish(client: Client, tokens: dict[str, str], plural: str, body: dict[str, Any]) -> None:
    created = client.post(f"/v1/{plural}", json=body, headers=bearer(tokens["editor"]))
    assert created.status_code == 201, created.text
    path = f"/v1/{plural}/{body['slug']}"
    reviewed = client.post(
        path + "/draft/review",
        json={"nextReviewOn": "2030-01-01"},
        headers=bearer(tokens["reviewer"], **{"If-Match": created.headers["etag"]}),
    )
    assert reviewed.status_code == 200, reviewed.text
    published = client.post(
        path + "/publish", headers=bearer(tokens["publisher"], **{"If-Match": reviewed.headers["etag"]})
    )
    assert published.status_code == 200, published.text


def _audit_size(client: Client, tokens: dict[str, str]) -> int:
    return len(client.get("/v1/audit?limit=200", headers=bearer(tokens["admin"])).json()["entries"])


# --- control characters and NUL, both stores ---------------------------------------------------


def test_control_characters_in_single_line_fields_are_refused(client: Client, tokens: dict[str, str]) -> None:
    before = _audit_size(client, tokens)
    for plural, path, name in SINGLE_LINE_FIELDS:
        for bad in LINE_BREAKS:
            body = _with(KINDS[plural], path, f"One{bad}two")
            response = client.post(f"/v1/{plural}", json=body, headers=bearer(tokens["editor"]))
            problem = _problem(response, 400, name)
            assert "single line" in problem["detail"], (plural, name, repr(bad))
    tag = client.post("/v1/articles", json={**ARTICLE, "tags": ["a\nb"]}, headers=bearer(tokens["editor"]))
    _problem(tag, 400, "$.tags[0]")
    assert _audit_size(client, tokens) == before  # nothing was created


def test_nul_is_refused_everywhere(client: Client, tokens: dict[str, str]) -> None:
    before = _audit_size(client, tokens)
    for plural, path, name in TEXT_FIELDS:
        body = _with(KINDS[plural], path, "before\x00after")
        _problem(client.post(f"/v1/{plural}", json=body, headers=bearer(tokens["editor"])), 400, name)
        # Line breaks are fine in text; the same body without the NUL is accepted.
    draft = client.post("/v1/faqs/ketamine-addiction-faq/draft", headers=bearer(tokens["editor"]))
    etag = draft.headers["etag"]
    editable = {k: v for k, v in draft.json().items() if k not in ("draft", "review")}
    put = client.put(
        "/v1/faqs/ketamine-addiction-faq/draft",
        json={**editable, "title": "Null\x00title"},
        headers=bearer(tokens["editor"], **{"If-Match": etag}),
    )
    _problem(put, 400, "$.title")
    publish = client.post(
        "/v1/faqs/ketamine-addiction-faq/publish",
        json={"note": "a\x00b"},
        headers=bearer(tokens["publisher"], **{"If-Match": etag}),
    )
    _problem(publish, 400, "$.note")
    admin = bearer(tokens["admin"])
    _problem(client.post("/v1/webhooks", json={"url": "https://x.example/\x00"}, headers=admin), 400, "$.url")
    _problem(
        client.post("/v1/tokens", json={"name": "a\x00b", "role": "reader"}, headers=admin), 400, "$.name"
    )
    digest = {"subject": "S", "intro": "i\x00", "items": [{"type": "faq", "slug": "ketamine-addiction-faq"}]}
    _problem(client.post("/v1/emails/digest", json=digest), 400, "$.intro")
    for path, name in (
        ("/v1/search?q=a%00b", "q"),
        ("/v1/audit?actor=a%00b", "actor"),
        ("/v1/articles?tag=a%00b", "tag"),
        ("/v1/articles?cursor=%00", "cursor"),
    ):
        _problem(client.get(path, headers=admin), 400, name)
    assert _audit_size(client, tokens) == before + 1  # only the draft start


def test_multiline_text_keeps_its_line_breaks(client: Client, tokens: dict[str, str]) -> None:
    body = _with(FAQ, ("items", 0, "answer"), "First line.\nSecond line.")
    _publish(client, tokens, "faqs", body)
    for path in ("/email", "/email.html", "/email.txt", "/email.eml"):
        assert client.get("/v1/faqs/hostile-faq" + path).status_code == 200, path


# --- integers, encodings and sizes, both stores -------------------------------------------------

VERSIONED_GETS = [
    ("/v1/articles/is-ketamine-therapy-addictive?version={n}", "version"),
    ("/v1/articles/is-ketamine-therapy-addictive/versions/{n}", "number"),
    ("/v1/articles/is-ketamine-therapy-addictive/email?version={n}", "version"),
    ("/v1/articles/is-ketamine-therapy-addictive/email.eml?version={n}", "version"),
    ("/v1/articles/is-ketamine-therapy-addictive/handout.pdf?version={n}", "version"),
    ("/v1/faqs/ketamine-addiction-faq/items/physical-dependence?version={n}", "version"),
    ("/v1/comparisons/medical-vs-recreational-ketamine/diff?from={n}&to=1", "from"),
    ("/v1/articles?limit={n}", "limit"),
    ("/v1/search?q=ketamine&limit={n}", "limit"),
    ("/v1/webhooks/{n}/deliveries", "hook_id"),
]


def test_huge_integers_are_400_naming_the_parameter(client: Client, tokens: dict[str, str]) -> None:
    admin = bearer(tokens["admin"])
    for template, name in VERSIONED_GETS:
        for n in HUGE:
            response = client.get(template.format(n=n), headers=admin)
            problem = _problem(response, 400)
            assert [e["name"] for e in problem["errors"]] in ([name], ["hookId"], ["hook_id"]), (
                template,
                problem,
            )
    restore = client.post(
        f"/v1/articles/is-ketamine-therapy-addictive/versions/{2**40}/restore",
        headers=bearer(tokens["publisher"]),
    )
    _problem(restore, 400, "number")
    for body_path in ("/v1/handouts", "/v1/emails/digest"):
        body = {"items": [{"type": "article", "slug": "is-ketamine-therapy-addictive", "version": 2**70}]}
        if body_path.endswith("digest"):
            body |= {"subject": "S", "intro": "I"}
        _problem(client.post(body_path, json=body), 400, "$.items[0].version")
    # The largest version that could exist is a plain 404, on both stores.
    _problem(client.get(f"/v1/articles/is-ketamine-therapy-addictive?version={2**31 - 1}"), 404)


BAD_BODIES = [
    (b'{"items": [{"type": "article", "slug": "\xff\xfe"}]}', 400),
    (b'"\xed\xa0\x80"', 400),  # an encoded surrogate
    (b"[" * 200_000, 400),
    (b'{"items": ' + b"[" * 5_000 + b"]" * 5_000 + b"}", 400),
    (b"{" * 100, 400),
    (b"\x00", 400),
    (b'{"subject": "' + b"x" * 1_100_000 + b'"}', 413),
]


def test_bad_bodies_are_4xx_on_every_body_route(client: Client, tokens: dict[str, str]) -> None:
    routes = [
        ("POST", "/v1/handouts", {}),
        ("POST", "/v1/emails/digest", {}),
        ("POST", "/v1/articles", bearer(tokens["editor"])),
        ("POST", "/v1/webhooks", bearer(tokens["admin"])),
    ]
    before = _audit_size(client, tokens)
    for method, path, headers in routes:
        for raw, status in BAD_BODIES:
            response = client.request(
                method, path, content=raw, headers=headers | {"Content-Type": "application/json"}
            )
            _problem(response, status)
    assert _audit_size(client, tokens) == before


# --- markup and link schemes through every kind and channel (store-independent) ---------------

HOSTILE_INLINE = (
    "<script>alert(1)</script> <b onclick=x>bold</b> "
    "[js](javascript:alert(1)) [vb](vbscript:x) [rel](//evil.example/x) [path](/etc/passwd) "
    "[file](file:///etc/passwd) [data](data:text/html,<b>x</b>) [up](../../x) [ftp](ftp://x.example) "
    "[ok](https://ok.example/a) [mail](mailto:care@clinic.example) [phone](tel:+15551234) "
    "<https://auto.example/> ![img](https://img.example/x.png)"
)


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs.extend(v or "" for k, v in attrs if k in ("href", "src") and tag != "img")


def _schemes_in_html(html: str) -> set[str]:
    parser = _Hrefs()
    parser.feed(html)
    assert "script" not in parser.tags
    return {urlsplit(h).scheme.lower() for h in parser.hrefs if h}


def _html_values(node: Any) -> Any:
    """Every sanitized HTML rendering in a JSON document (html, answerHtml, valuesHtml, ...)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith(("html", "Html")):
                yield from [value] if isinstance(value, str) else value
            else:
                yield from _html_values(value)
    elif isinstance(node, list):
        for value in node:
            yield from _html_values(value)


def _pdf_link_schemes(pdf: bytes) -> set[str]:
    schemes = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                schemes.add(urlsplit(str(action["/URI"])).scheme.lower())
    return schemes


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_markup_and_links_through_every_kind_and_channel(client: Client, tokens: dict[str, str]) -> None:
    bodies = {
        "articles": _with(ARTICLE, ("body", 1, "text"), HOSTILE_INLINE),
        "faqs": _with(FAQ, ("items", 0, "answer"), HOSTILE_INLINE),
        "comparisons": _with(COMPARISON, ("rows", 0, "values", 0), HOSTILE_INLINE),
    }
    for plural, body in bodies.items():
        _publish(client, tokens, plural, body)
        path = f"/v1/{plural}/{body['slug']}"
        document = client.get(path).json()
        rendered = list(_html_values(document))
        assert rendered, plural
        json_schemes = set().union(*(_schemes_in_html(h) for h in rendered))
        assert json_schemes <= ALLOWED, (plural, json_schemes)
        assert "<script>" not in json.dumps(document) or "&lt;script&gt;" in json.dumps(document)

        email_html = client.get(path + "/email.html").text
        assert _schemes_in_html(email_html) <= ALLOWED, plural
        assert 'href="javascript' not in email_html and 'href="//' not in email_html  # text, never a link
        text = client.get(path + "/email.txt").text
        for target in ("javascript:", "vbscript:", "//evil.example", "/etc/passwd", "file:", "data:", "ftp:"):
            assert target not in text, (plural, target)  # plain text shows only allowed link targets
        assert "(https://ok.example/a" in text and "(tel:+15551234)" in text

        pdf = client.get(path + "/handout.pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        schemes = _pdf_link_schemes(pdf.content)
        assert schemes and schemes <= ALLOWED, (plural, schemes)  # no file:, no relative, no javascript:
