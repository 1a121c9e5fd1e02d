"""Every draft opens in the desk (issue 21, point 7): the edit form's path, item -> form strings ->
Markdown -> item, gives back the item, for the bundled library and for awkward input.

What a browser does to the form on the way is mirrored here: a one-line input drops line breaks,
and every field arrives with CRLF line ends. The desk trims spaces at the ends of its plain fields
(title, summary, questions, answers, cells): the generated plain text has none there.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from litestar.datastructures import FormMultiDict

import api.desk
from api.desk.forms import item_of, state_from_form, state_of
from content import blocks, model
from content.errors import InvalidInput
from content.library import DEFAULT_LIBRARY, load_library
from content.markdown import parse_article_body, to_markdown
from content.tidy import tidy

# One-line inputs in edit.html.j2; every other field is a textarea.
INPUTS = {"title", "tags", "locale", "slug"}
INPUT_SUFFIXES = ("-id", "-question", "-factor")

# Pieces that mean something to Markdown, to the directives or to the form, and plain words.
PIECES = [
    "word",
    "Take 2 tablets",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\r",
    "\r\n",
    "# ",
    "## ",
    "#",
    "> ",
    "- ",
    "* ",
    "+ ",
    "1. ",
    "2) ",
    "[x] ",
    "[ ] ",
    "::",
    ":::",
    "::cta ",
    "::faq x",
    ":::callout info",
    "::block {}",
    "*",
    "_",
    "**",
    "`",
    "\\",
    "\\\\",
    "[",
    "]",
    "(",
    ")",
    "[x](https://example.org)",
    "](",
    "](<",
    "<",
    ">",
    "<b>",
    "&amp;",
    "|",
    "a | b",
    "---",
    "===",
    '"',
    "'",
    "é",
    "ñ",
    "你好",
    "🙂",
    "\u00a0",
    "Supercalifragilisticexpialidocious" * 8,
    "https://example.org/a_(b)",
    "[^1]: x",
    "[a]: /b",
]


def test_the_one_line_fields_here_are_the_edit_forms_inputs() -> None:
    """form_of cuts line breaks from exactly the fields edit.html.j2 shows as one-line inputs."""
    template = (Path(api.desk.__file__).parent / "templates" / "edit.html.j2").read_text()
    names = set(re.findall(r'<input [^>]*name="([^"]+)"', template))
    text = {n for n in names if not n.startswith("e{{")} - {"count", "csrf", "etag", "kind", "next", "token"}
    assert text - {"questions_none"} == INPUTS
    assert {n.removeprefix("e{{ i }}") for n in names if n.startswith("e{{")} == set(INPUT_SUFFIXES)


def pieces(min_size: int = 1) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(PIECES), min_size=min_size, max_size=8).map("".join)


def plain(one_line: bool) -> st.SearchStrategy[str]:
    """Text for a plain field as an API client may send it: spaces at its ends, CR or CRLF line
    breaks (content.tidy keeps it trimmed, with LF); maybe one line."""
    text = pieces().map(lambda s: s.replace("\r", " ").replace("\n", " ") if one_line else s)
    return text.filter(str.strip)


def block_strategy() -> st.SearchStrategy[dict[str, Any]]:
    inline = pieces()
    line = plain(True)
    url = st.sampled_from(
        ["brand:appointment", "https://example.org/a_(b)", "https://x.org/](y", "tel:+1 555"]
    )
    return st.one_of(
        st.fixed_dictionaries({"type": st.just("heading"), "level": st.integers(2, 4), "text": inline}),
        st.fixed_dictionaries({"type": st.just("paragraph"), "text": inline}),
        st.fixed_dictionaries(
            {
                "type": st.just("list"),
                "style": st.sampled_from(["bullet", "check", "numbered"]),
                "items": st.lists(st.fixed_dictionaries({"text": inline}), min_size=1, max_size=3),
            }
        ),
        st.fixed_dictionaries(
            {
                "type": st.just("callout"),
                "tone": st.sampled_from(["info", "yes", "no", "warning"]),
                "text": inline,
            },
            optional={"title": line},
        ),
        st.fixed_dictionaries({"type": st.just("comparison"), "slug": st.just("a-vs-b")}),
        st.fixed_dictionaries(
            {
                "type": st.just("faq"),
                "slug": st.just("some-faq"),
                "items": st.lists(st.just("q1"), max_size=2),
            }
        ),
        st.fixed_dictionaries({"type": st.just("cta"), "label": line, "url": url}),
        st.fixed_dictionaries(
            {"type": st.just("image"), "media": st.just("ab" * 32), "alt": line},
            optional={
                "caption": inline,
                "credit": line,
                "focal": st.fixed_dictionaries({"x": st.floats(0, 1), "y": st.floats(0, 1)}),
            },
        ),
        st.fixed_dictionaries(
            {"type": st.just("image"), "media": st.just("cd" * 32), "decorative": st.just(True)},
            optional={"caption": inline},
        ),
    )


def form_of(kind: model.Kind, state: dict[str, Any]) -> FormMultiDict:
    """The fields the edit form shows for ``state``, as a browser posts them."""
    fields: dict[str, str] = {k: v for k, v in state.items() if isinstance(v, str)}
    entries: list[dict[str, Any]] = state["entries"]
    fields["count"] = str(len(entries))
    fields["action"] = "save"
    for i, entry in enumerate(entries):
        for name, value in entry.items():
            if name == "values":
                fields |= {f"e{i}-v{j}": v for j, v in enumerate(value)}
            else:
                fields[f"e{i}-{name}"] = value
    posted: dict[str, str] = {}
    for name, value in fields.items():
        one_line = name in INPUTS or name.endswith(INPUT_SUFFIXES)
        value = value.replace("\r", "").replace("\n", "") if one_line else value
        posted[name] = value.replace("\r\n", "\n").replace("\n", "\r\n")
    return FormMultiDict(posted)


def through_the_desk(item: model.Content) -> model.Content | None:
    kind = item.kind
    made, errors = item_of(kind, state_from_form(kind, form_of(kind, state_of(item))))
    assert errors == {}, errors
    return made


def editable(item: model.Content) -> model.Content:
    """What an editor's draft holds: the stored form, no review (content.drafts.normalize)."""
    return msgspec.structs.replace(item.stored(), review=None)


@pytest.mark.parametrize(
    "item", load_library(DEFAULT_LIBRARY).items, ids=lambda i: f"{i.locale}-{i.kind}-{i.slug}"
)
def test_every_library_item_comes_back_from_the_edit_form_unchanged(item: model.Content) -> None:
    assert through_the_desk(editable(item)) == editable(item)
    # Written as an editor would write it: no block needs the exact ::block form.
    assert "::block" not in state_of(editable(item)).get("body", "")


def test_the_reported_draft_a_link_in_a_call_to_actions_label_opens() -> None:
    cta = blocks.Cta(label="See [x](https://example.org) first", url="brand:appointment")
    assert to_markdown([cta]) == "::cta [See [x](https://example.org) first](brand:appointment)\n"
    assert parse_article_body(to_markdown([cta])) == [cta]
    quoted = blocks.Cta(label="Don't wait", url="https://example.org/book")
    assert parse_article_body(to_markdown([quoted])) == [quoted]


def test_text_markdown_would_read_differently_is_written_exactly() -> None:
    body = [blocks.Paragraph(text="# not a heading"), blocks.Paragraph(text="Normal *words*.")]
    source = to_markdown(body)
    assert source == '::block {"type":"paragraph","text":"# not a heading"}\n\nNormal *words*.\n'
    assert parse_article_body(source) == body


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.lists(block_strategy(), min_size=1, max_size=6))
def test_any_article_body_comes_back_from_markdown(body: list[dict[str, Any]]) -> None:
    try:
        parsed = msgspec.convert(body, list[model.BlockType])
    except msgspec.ValidationError:
        assume(False)
    assert parse_article_body(to_markdown(parsed)) == parsed


BASE = {"slug": "awkward", "locale": "en", "tags": ["a-b"], "related": [], "codes": []}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=plain(True),
    summary=plain(False),
    body=st.lists(block_strategy(), min_size=1, max_size=4),
    faq=st.lists(st.tuples(plain(True), plain(False)), min_size=1, max_size=3),
    cells=st.lists(st.tuples(plain(True), plain(False), plain(False)), min_size=1, max_size=3),
    footnote=st.none() | plain(False),
    questions=st.none() | st.lists(plain(True), max_size=3),
)
def test_any_draft_comes_back_from_the_edit_form(
    title: str,
    summary: str,
    body: list[dict[str, Any]],
    faq: list[tuple[str, str]],
    cells: list[tuple[str, str, str]],
    footnote: str | None,
    questions: list[str] | None,
) -> None:
    drafts = [
        BASE | {"type": "article", "title": title, "summary": summary, "body": body},
        BASE
        | {
            "type": "faq",
            "title": title,
            "summary": summary,
            "items": [{"id": f"q{n}", "question": q, "answer": a} for n, (q, a) in enumerate(faq)],
        },
        BASE
        | {
            "type": "comparison",
            "title": title,
            "summary": summary,
            "subjects": ["A | B", "C\\D"],
            "rows": [{"factor": f, "values": [v, w]} for f, v, w in cells],
            "footnote": footnote,
        },
    ]
    for data in drafts:
        if questions is not None:  # the handout's own questions; left out, its FAQ's
            data["questions"] = questions
        try:
            item = tidy(msgspec.convert(data, model.Content))  # as the API stores a draft
        except (msgspec.ValidationError, InvalidInput):
            continue
        assert through_the_desk(item) == item
