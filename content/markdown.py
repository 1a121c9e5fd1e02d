"""Markdown source to typed blocks, and inline Markdown to sanitized HTML.

Article bodies are CommonMark with raw HTML off, plus two directive forms (see README):

    :::callout warning "Optional title"      a callout: tone is info, yes, no or warning
    Inline Markdown body, one or more lines.
    :::

    ::comparison SLUG                        embed a comparison table by reference
    ::faq SLUG [ITEM-ID ...]                 embed a FAQ set, or only the listed items
    ::cta [Label](URL)                       a call to action; URL may be brand:appointment

Headings (## to ####), paragraphs, bullet and numbered lists map to blocks; a bullet list whose
items all start with ``[x]`` is a check list.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from functools import lru_cache
from typing import TypeVar

import msgspec
import nh3
from markdown_it import MarkdownIt

from content import model
from content.errors import InvalidInput

ALLOWED_SCHEMES = frozenset({"https", "http", "mailto", "tel"})
_INLINE_TAGS = frozenset({"em", "strong", "a", "code", "br"})
_CHECK = re.compile(r"^\[[xX ]\]\s+")
T = TypeVar("T")
_CTA = re.compile(r"^\[(?P<label>[^\]]+)\]\((?P<url>[^)\s]+)\)$")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # commonmark preset with raw HTML off: "<script>" in source stays literal text.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image", "html_inline", "html_block", "code", "fence", "hr", "table"], True)
    return md


def sanitize(html: str) -> str:
    """Keep only inline formatting and absolute links with allowed schemes."""
    return nh3.clean(
        html,
        tags=set(_INLINE_TAGS),
        attributes={"a": {"href", "title"}},
        url_schemes=set(ALLOWED_SCHEMES),
        # Relative and scheme-relative links ("/x", "//host/x") resolve against wherever the
        # HTML lands: a frontend's origin, an email client, WeasyPrint's file: base URL.
        url_relative="deny",
        link_rel="noopener noreferrer",
    )


def allowed_link(url: str) -> bool:
    """An absolute link with an allowed scheme: what a rendered link may point to in any channel."""
    scheme, sep, rest = url.partition(":")
    if not sep or scheme.lower() not in ALLOWED_SCHEMES:
        return False
    return scheme.lower() in ("mailto", "tel") or (rest.startswith("//") and len(rest) > 2)


@lru_cache(maxsize=4096)
def inline_html(text: str) -> str:
    """Render inline Markdown (emphasis, strong, code, links) to sanitized HTML."""
    return sanitize(_parser().renderInline(text).strip())


def parse_article_body(source: str) -> list[model.BlockType]:
    """Parse an article's Markdown body into blocks; raises InvalidInput naming the line."""
    blocks: list[model.BlockType] = []
    markdown: list[str] = []
    markdown_start = 1
    lines = source.splitlines()
    i = 0

    def flush() -> None:
        if any(line.strip() for line in markdown):
            blocks.extend(_markdown_blocks("\n".join(markdown), markdown_start))
        markdown.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith(":::") and stripped != ":::":
            flush()
            end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == ":::"), None)
            if end is None:
                raise InvalidInput(f"body line {i + 1}", "directive ':::' is never closed")
            blocks.append(_container(stripped[3:], lines[i + 1 : end], i + 1))
            i = end + 1
            markdown_start = i + 1
            continue
        if stripped.startswith("::") and not stripped.startswith(":::"):
            flush()
            blocks.append(_leaf(stripped[2:], i + 1))
            i += 1
            markdown_start = i + 1
            continue
        if not markdown:
            markdown_start = i + 1
        markdown.append(line)
        i += 1
    flush()
    return blocks


def _container(header: str, body: list[str], line: int) -> model.BlockType:
    words = _split(header, line)
    if not words or words[0] != "callout":
        raise InvalidInput(f"body line {line}", f"unknown container directive {header!r}")
    if len(words) not in (2, 3):
        raise InvalidInput(f"body line {line}", 'expected :::callout TONE ["Title"]')
    text = " ".join(part.strip() for part in body if part.strip())
    fields = {"tone": words[1], "text": text, "title": words[2] if len(words) == 3 else None}
    return _convert(fields, model.Callout, line)


def _leaf(header: str, line: int) -> model.BlockType:
    words = _split(header, line)
    name, args = (words[0], words[1:]) if words else ("", [])
    if name == "comparison" and len(args) == 1:
        return _convert({"slug": args[0]}, model.ComparisonEmbed, line)
    if name == "faq" and args:
        return _convert({"slug": args[0], "items": args[1:]}, model.FaqEmbed, line)
    if name == "cta" and (match := _CTA.match(header[len("cta") :].strip())):
        return _convert(match.groupdict(), model.Cta, line)
    raise InvalidInput(f"body line {line}", f"unknown or malformed directive '::{header}'")


def _split(header: str, line: int) -> list[str]:
    try:
        return shlex.split(header)
    except ValueError as exc:
        raise InvalidInput(f"body line {line}", str(exc)) from None


def _convert(fields: Mapping[str, object], cls: type[T], line: int) -> T:
    try:
        return msgspec.convert(fields, cls)
    except msgspec.ValidationError as exc:
        raise InvalidInput(f"body line {line}", str(exc)) from None


def _markdown_blocks(source: str, first_line: int) -> list[model.BlockType]:
    tokens = _parser().parse(source)
    blocks: list[model.BlockType] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        line = first_line + (token.map[0] if token.map else 0)
        if token.type == "heading_open":
            level = int(token.tag[1:])
            if not 2 <= level <= 4:
                raise InvalidInput(f"body line {line}", "headings are ## to #### (the title is #)")
            blocks.append(model.Heading(level=level, text=tokens[i + 1].content))
            i += 3
        elif token.type == "paragraph_open":
            blocks.append(model.Paragraph(text=_join(tokens[i + 1].content)))
            i += 3
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            close = token.type.replace("_open", "_close")
            depth, j, items = 0, i, []
            while True:
                t = tokens[j]
                if t.type in ("bullet_list_open", "ordered_list_open") and j > i:
                    raise InvalidInput(f"body line {line}", "nested lists are not supported")
                if t.type == token.type:
                    depth += 1
                elif t.type == close:
                    depth -= 1
                    if depth == 0:
                        break
                elif t.type == "inline":
                    items.append(_join(t.content))
                j += 1
            blocks.append(_list_block(token.type, items))
            i = j + 1
        else:
            raise InvalidInput(f"body line {line}", f"unsupported Markdown ({token.type})")
    return blocks


def _list_block(token_type: str, items: list[str]) -> model.List:
    if token_type == "ordered_list_open":
        return model.List(style="numbered", items=[model.ListItem(text=t) for t in items])
    if items and all(_CHECK.match(t) for t in items):
        return model.List(style="check", items=[model.ListItem(text=_CHECK.sub("", t)) for t in items])
    return model.List(style="bullet", items=[model.ListItem(text=t) for t in items])


def _join(text: str) -> str:
    """Soft line breaks in source become spaces: the stored text is one logical line."""
    return " ".join(part.strip() for part in text.splitlines())


def to_markdown(blocks: list[model.BlockType]) -> str:
    """The Markdown source for a body: ``parse_article_body(to_markdown(b)) == b`` (checked by callers)."""
    out: list[str] = []
    previous_list: model.List | None = None
    markers = {"bullet": ("-", "*"), "check": ("-", "*"), "numbered": (".", ")")}
    alternate = 0
    for block in blocks:
        match block:
            case model.Heading(level=level, text=text):
                out.append("#" * level + " " + text)
            case model.Paragraph(text=text):
                out.append(text)
            case model.List(style=style, items=entries):
                # CommonMark joins adjacent lists with the same marker: alternate markers instead.
                alternate = 1 - alternate if previous_list is not None else 0
                mark = markers[style][alternate]
                if style == "numbered":
                    lines = [f"{n}{mark} {e.text}" for n, e in enumerate(entries, 1)]
                else:
                    check = "[x] " if style == "check" else ""
                    lines = [f"{mark} {check}{e.text}" for e in entries]
                out.append("\n".join(lines))
            case model.Callout(tone=tone, title=title, text=text):
                header = shlex.join(["callout", tone, *([title] if title else [])])
                out.append(f":::{header}\n{text}\n:::")
            case model.ComparisonEmbed(slug=slug):
                out.append(f"::comparison {slug}")
            case model.FaqEmbed(slug=slug, items=ids):
                out.append(" ".join(["::faq", slug, *ids]))
            case model.Cta(label=label, url=url):
                out.append(f"::cta [{label}]({url})")
        previous_list = block if isinstance(block, model.List) else None
    return "\n\n".join(out) + "\n"
