"""Markdown source to typed blocks, and inline Markdown to sanitized HTML.

Article bodies are CommonMark with raw HTML off, plus two directive forms (see README), each
block type declaring its own (``content.blocks``: ``directive``, ``from_directive``, ``markdown``):

    :::callout warning "Optional title"      a callout: tone is info, yes, no or warning
    Inline Markdown body, one or more lines.
    :::

    ::comparison SLUG                        embed a comparison table by reference
    ::faq SLUG [ITEM-ID ...]                 embed a FAQ set, or only the listed items
    ::cta [Label](URL)                       a call to action; URL may be brand:appointment
    ::block {"type": "paragraph", ...}       any block as JSON, exactly: the desk writes this for
                                             text that Markdown would read differently

Headings (## to ####), paragraphs, bullet and numbered lists map to blocks; a bullet list whose
items all start with ``[x]`` is a check list.
"""

from __future__ import annotations

import re
import shlex
from typing import cast

import msgspec

from content import model
from content.blocks import DIRECTIVES, Block, BlockType, List
from content.errors import InvalidInput
from content.inline import ALLOWED_SCHEMES, allowed_link, inline_html, parser, sanitize

_CHECK = re.compile(r"^\[[xX ]\]\s+")
EXACT = "block"  # ``::block {JSON}``: a block whose text Markdown would change, written exactly

__all__ = ["ALLOWED_SCHEMES", "allowed_link", "inline_html", "parse_article_body", "sanitize", "to_markdown"]


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


def _container(header: str, body: list[str], line: int) -> BlockType:
    words = _split(header, line)
    cls = DIRECTIVES.get(words[0]) if words else None
    if cls is None or not cls.container:
        raise InvalidInput(f"body line {line}", f"unknown container directive {header!r}")
    text = " ".join(part.strip() for part in body if part.strip())
    fields = cls.from_directive(words[1:], header[len(words[0]) :].strip(), text)
    if fields is None:
        raise InvalidInput(f"body line {line}", cls.usage or f"malformed directive ':::{header}'")
    return _convert(fields, cls, line)


def _leaf(header: str, line: int) -> BlockType:
    if header.startswith(f"{EXACT} "):
        return _exact(header[len(EXACT) :], line)
    try:
        words = shlex.split(header)
    except ValueError:  # a quote in a call to action's label: only the name and the rest count
        words = header.split()
    cls = DIRECTIVES.get(words[0]) if words else None
    if cls is not None and not cls.container:
        fields = cls.from_directive(words[1:], header[len(words[0]) :].strip(), "")
        if fields is not None:
            return _convert(fields, cls, line)
    raise InvalidInput(f"body line {line}", f"unknown or malformed directive '::{header}'")


def _split(header: str, line: int) -> list[str]:
    try:
        return shlex.split(header)
    except ValueError as exc:
        raise InvalidInput(f"body line {line}", str(exc)) from None


def _convert(fields: dict[str, object], cls: type[Block], line: int) -> BlockType:
    try:
        return cast(BlockType, msgspec.convert(fields, cls))  # cls is one of BlockType
    except msgspec.ValidationError as exc:
        raise InvalidInput(f"body line {line}", str(exc)) from None


def _markdown_blocks(source: str, first_line: int) -> list[model.BlockType]:
    tokens = parser().parse(source)
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


def _exact(source: str, line: int) -> BlockType:
    try:
        return cast(BlockType, msgspec.json.decode(source, type=BlockType))
    except msgspec.DecodeError as exc:
        raise InvalidInput(f"body line {line}", f"::{EXACT} holds one block as JSON: {exc}") from None


def exact(block: BlockType) -> str:
    """A block as ``::block {JSON}``: every block the API accepts, exactly, on one line."""
    defaults = {f.encode_name: f.default for f in msgspec.structs.fields(block)}
    fields = msgspec.to_builtins(block.stored())
    kept = {k: v for k, v in fields.items() if k == "type" or defaults.get(k) != v}
    if isinstance(block, List):  # items' derived HTML is blank in the stored form: leave it out
        kept["items"] = [{"text": item.text} for item in block.items]
    return f"::{EXACT} {msgspec.json.encode(kept).decode()}"


def _written(block: BlockType, lists_before: int) -> str:
    """The block's own Markdown form when it reads back as the same block, else its exact form."""
    natural = block.markdown(lists_before)
    try:
        same = parse_article_body(natural) == [block.stored()]
    except InvalidInput:
        same = False
    return natural if same else exact(block)


def to_markdown(blocks: list[BlockType]) -> str:
    """The Markdown source for a body: ``parse_article_body(to_markdown(b)) == b`` for every body."""
    out: list[str] = []
    lists_before = 0
    for block in blocks:
        out.append(_written(block, lists_before))
        lists_before = lists_before + 1 if isinstance(block, List) and out[-1][0] != ":" else 0
    source = "\n\n".join(out) + "\n"
    try:
        same = parse_article_body(source) == [b.stored() for b in blocks]
    except InvalidInput:
        same = False
    return source if same else "\n\n".join(exact(b) for b in blocks) + "\n"
