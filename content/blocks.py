"""Article blocks: each block type declares here, in one class, everything Folio knows about it.

Like Wagtail's block classes, a block type is its Struct (the JSON and library shape) plus its
behaviour: its Markdown form (``directive`` and ``from_directive`` to parse, ``markdown`` to
write back), the words it shows (``words``: search, readability), its derived fields
(``rendered`` fills them for readers, ``stored`` blanks them for the content hash), what it
embeds and links to (``embeds``, ``links``: the library checks them), and how a diff compares it
(``diff_key``). Channels pick its template by ``type``:
``blocks/<type>.html.j2`` in every channel, and ``blocks/<type>.txt.j2`` for email text.

A new block type is one class here, named in ``BlockType``, plus those templates.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from typing import Annotated, ClassVar, Literal, Self, TypeAlias, get_args

import msgspec
from msgspec import Meta
from msgspec.structs import replace

from content.inline import inline_html, plain
from content.types import SINGLE_LINE, InlineText, Line, Slug, Title, Wire

Link = Callable[[str], str]  # resolves a ``brand:`` link to the clinic's real one


class Block(Wire, tag_field="type", kw_only=True):
    """One typed piece of an article body, and its behaviour (defaults for a block without text)."""

    # Written in Markdown as ``::directive ARGS`` (a leaf) or ``:::directive ARGS`` ... ``:::``
    # (a container, whose lines are its text); "" for Markdown's own forms (headings, lists...).
    directive: ClassVar[str] = ""
    container: ClassVar[bool] = False
    usage: ClassVar[str] = ""  # what a malformed directive is told

    @property
    def type(self) -> str:
        """The block's tag; channels pick the block's template by it."""
        return str(self.__struct_config__.tag)  # every block sets tag=

    @classmethod
    def from_directive(cls, args: list[str], rest: str, text: str) -> dict[str, object] | None:
        """The block's fields from its directive's words (``rest``: the header after the name) and
        a container's text; None when malformed."""
        return None

    def markdown(self, lists_before: int = 0) -> str:
        """The block's Markdown source; ``lists_before``: how many lists directly precede it."""
        raise NotImplementedError(self.type)

    def words(self) -> list[str]:
        """The words the block shows of its own (an embed shows another item's), as Markdown source."""
        return []

    def section_title(self) -> str | None:
        """The title of the readability section this block starts, or None: it continues one."""
        return None

    def rendered(self, link: Link) -> Self:
        """The block as readers get it: derived fields (HTML, resolved links) filled in."""
        return self

    def stored(self) -> Self:
        """The block as stored and hashed: derived fields blank."""
        return self

    def embeds(self) -> tuple[str, str] | None:
        """(kind, slug) of the item this block embeds, if any."""
        return None

    def links(self) -> list[tuple[str, str]]:
        """(field, URL) of each link the block's own fields hold; the library checks their schemes."""
        return []

    def diff_key(self) -> bytes:
        """What a diff compares blocks by: blocks have no ids, so their whole content."""
        return msgspec.json.encode(self)


class Heading(Block, tag="heading", kw_only=True):
    level: Annotated[int, Meta(ge=2, le=4)]
    text: InlineText
    html: str = ""

    def markdown(self, lists_before: int = 0) -> str:
        return "#" * self.level + " " + self.text

    def words(self) -> list[str]:
        return [self.text]

    def section_title(self) -> str | None:
        return plain(self.text)

    def rendered(self, link: Link) -> Self:
        return replace(self, html=inline_html(self.text))

    def stored(self) -> Self:
        return replace(self, html="")


class Paragraph(Block, tag="paragraph", kw_only=True):
    text: InlineText
    html: str = ""

    def markdown(self, lists_before: int = 0) -> str:
        return self.text

    def words(self) -> list[str]:
        return [self.text]

    def rendered(self, link: Link) -> Self:
        return replace(self, html=inline_html(self.text))

    def stored(self) -> Self:
        return replace(self, html="")


class ListItem(Wire, kw_only=True):
    text: InlineText
    html: str = ""


# CommonMark joins adjacent lists with the same marker: a list after a list alternates them.
_MARKERS = {"bullet": ("-", "*"), "check": ("-", "*"), "numbered": (".", ")")}


class List(Block, tag="list", kw_only=True):
    style: Literal["bullet", "check", "numbered"]
    items: Annotated[list[ListItem], Meta(min_length=1)]

    def markdown(self, lists_before: int = 0) -> str:
        mark = _MARKERS[self.style][lists_before % 2]
        if self.style == "numbered":
            return "\n".join(f"{n}{mark} {e.text}" for n, e in enumerate(self.items, 1))
        check = "[x] " if self.style == "check" else ""
        return "\n".join(f"{mark} {check}{e.text}" for e in self.items)

    def words(self) -> list[str]:
        return [i.text for i in self.items]

    def rendered(self, link: Link) -> Self:
        return replace(self, items=[replace(i, html=inline_html(i.text)) for i in self.items])

    def stored(self) -> Self:
        return replace(self, items=[replace(i, html="") for i in self.items])


class Callout(Block, tag="callout", kw_only=True):
    directive = "callout"
    container = True
    usage = 'expected :::callout TONE ["Title"]'

    tone: Literal["info", "yes", "no", "warning"]
    title: Title | None = None
    text: InlineText
    html: str = ""

    @classmethod
    def from_directive(cls, args: list[str], rest: str, text: str) -> dict[str, object] | None:
        if len(args) not in (1, 2):
            return None
        return {"tone": args[0], "text": text, "title": args[1] if len(args) == 2 else None}

    def markdown(self, lists_before: int = 0) -> str:
        header = shlex.join(["callout", self.tone, *([self.title] if self.title else [])])
        return f":::{header}\n{self.text}\n:::"

    def words(self) -> list[str]:
        return [part for part in (self.title, self.text) if part]

    def rendered(self, link: Link) -> Self:
        return replace(self, html=inline_html(self.text))

    def stored(self) -> Self:
        return replace(self, html="")


class ComparisonEmbed(Block, tag="comparison", kw_only=True):
    """Embeds a comparison table by reference."""

    directive = "comparison"

    slug: Slug
    # The embedded item's version pinned when this version was published; derived at read time.
    version: int | None = None

    @classmethod
    def from_directive(cls, args: list[str], rest: str, text: str) -> dict[str, object] | None:
        return {"slug": args[0]} if len(args) == 1 else None

    def markdown(self, lists_before: int = 0) -> str:
        return f"::comparison {self.slug}"

    def embeds(self) -> tuple[str, str] | None:
        return (self.type, self.slug)


class FaqEmbed(Block, tag="faq", kw_only=True):
    """Embeds a FAQ set by reference: the whole set, or only the listed item ids."""

    directive = "faq"

    slug: Slug
    items: list[Slug] = []
    # The embedded item's version pinned when this version was published; derived at read time.
    version: int | None = None

    @classmethod
    def from_directive(cls, args: list[str], rest: str, text: str) -> dict[str, object] | None:
        return {"slug": args[0], "items": args[1:]} if args else None

    def markdown(self, lists_before: int = 0) -> str:
        return " ".join(["::faq", self.slug, *self.items])

    def embeds(self) -> tuple[str, str] | None:
        return (self.type, self.slug)


_CTA_LINK = re.compile(r"^\[(?P<label>[^\]]+)\]\((?P<url>[^)\s]+)\)$")


class Cta(Block, tag="cta", kw_only=True):
    """A call to action. ``url`` is a link or a brand setting: ``brand:appointment``, ``brand:phone``."""

    directive = "cta"

    label: Line
    # Which schemes are allowed is checked with the item (content.library), naming the choices.
    url: Annotated[str, Meta(min_length=1, max_length=2000, pattern=SINGLE_LINE)]
    href: str = ""  # the resolved link, derived at read time

    @classmethod
    def from_directive(cls, args: list[str], rest: str, text: str) -> dict[str, object] | None:
        match = _CTA_LINK.match(rest)
        return dict(match.groupdict()) if match else None

    def markdown(self, lists_before: int = 0) -> str:
        return f"::cta [{self.label}]({self.url})"

    def words(self) -> list[str]:
        return [self.label]

    def links(self) -> list[tuple[str, str]]:
        return [("url", self.url)]

    def rendered(self, link: Link) -> Self:
        return replace(self, href=link(self.url))

    def stored(self) -> Self:
        return replace(self, href="")


# The registry: every block type, in the order the JSON schema lists them.
BlockType: TypeAlias = Heading | Paragraph | List | Callout | ComparisonEmbed | FaqEmbed | Cta
BLOCK_TYPES: tuple[type[Block], ...] = get_args(BlockType)
DIRECTIVES: dict[str, type[Block]] = {cls.directive: cls for cls in BLOCK_TYPES if cls.directive}
Embed: TypeAlias = ComparisonEmbed | FaqEmbed

__all__ = [
    "BLOCK_TYPES",
    "DIRECTIVES",
    "Block",
    "BlockType",
    "Callout",
    "ComparisonEmbed",
    "Cta",
    "Embed",
    "FaqEmbed",
    "Heading",
    "Link",
    "List",
    "ListItem",
    "Paragraph",
]
