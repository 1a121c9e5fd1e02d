"""Inline Markdown: to sanitized HTML for readers, and to plain words for search and readability."""

from __future__ import annotations

import re
import shlex
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_SCHEMES = frozenset({"https", "http", "mailto", "tel"})
_INLINE_TAGS = frozenset({"em", "strong", "a", "code", "br"})
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"[*_`]+")


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """CommonMark with raw HTML off: "<script>" in source stays literal text."""
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
    return sanitize(parser().renderInline(text).strip())


def plain(text: str) -> str:
    """Inline Markdown source without its punctuation: link text kept, emphasis marks dropped."""
    return _LINK.sub(r"\1", _EMPHASIS.sub("", text))


def quoted(word: str) -> str:
    """A shell word as a directive writes it: bare when safe, else in double quotes."""
    safe = bool(word) and shlex.quote(word) == word
    return word if safe else '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
