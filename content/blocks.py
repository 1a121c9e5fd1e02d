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

from content.inline import inline_html, plain, quoted
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

    def problems(self) -> list[tuple[str, str]]:
        """(field, why) for each rule the block breaks beyond its types; saving refuses it."""
        return []

    def media_used(self) -> str | None:
        """The content hash of the media library asset the block shows, if any."""
        return None

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


# The label runs to the last "](", so it may hold brackets and links of its own; a URL that holds
# "](" itself is written in angle brackets.
_CTA_LINKS = (
    re.compile(r"^\[(?P<label>.+)\]\(<(?P<url>[^>]*)>\)$"),
    re.compile(r"^\[(?P<label>.+)\]\((?P<url>.*)\)$"),
)


class Cta(Block, tag="cta", kw_only=True):
    """A call to action. ``url`` is a link or a brand setting: ``brand:appointment``, ``brand:phone``."""

    directive = "cta"

    label: Line
    # Which schemes are allowed is checked with the item (content.library), naming the choices.
    url: Annotated[str, Meta(min_length=1, max_length=2000, pattern=SINGLE_LINE)]
    href: str = ""  # the resolved link, derived at read time

    @classmethod
    def from_directive(cls, args: list[str], rest: str, text: str) -> dict[str, object] | None:
        match = _CTA_LINKS[0].match(rest) or _CTA_LINKS[1].match(rest)
        return dict(match.groupdict()) if match else None

    def markdown(self, lists_before: int = 0) -> str:
        url = f"<{self.url}>" if "](" in self.url or self.url.startswith("<") else self.url
        return f"::cta [{self.label}]({url})"

    def words(self) -> list[str]:
        return [self.label]

    def links(self) -> list[tuple[str, str]]:
        return [("url", self.url)]

    def rendered(self, link: Link) -> Self:
        return replace(self, href=link(self.url))

    def stored(self) -> Self:
        return replace(self, href="")


MEDIA_PATH = "/media/"  # where the media library serves variants, under the public URL
MEDIA_WIDTHS = (320, 640, 1280)  # the widths content.media serves (its WIDTHS; a test keeps them equal)
MediaHash = Annotated[str, Meta(pattern=r"^[0-9a-f]{64}$")]
AltText = Annotated[str, Meta(max_length=1000, pattern=SINGLE_LINE)]
_FOCAL = re.compile(r"^focal=(?P<x>[0-9.]+),(?P<y>[0-9.]+)$")


class Focal(Wire, kw_only=True):
    """The point a crop keeps in view, as fractions of the width and height from the top left."""

    x: Annotated[float, Meta(ge=0, le=1)]
    y: Annotated[float, Meta(ge=0, le=1)]


class ImageVariant(Wire, kw_only=True):
    """One served size of an image: its absolute URL under the public URL."""

    url: str
    width: int
    height: int
    format: str


class Image(Block, tag="image", kw_only=True):
    """A picture from the media library, by content hash, with its own alt text. ``alt`` is required
    unless ``decorative`` is set, and then must be empty (screen readers skip a decorative image).
    ``width``, ``height`` and ``format`` are the asset's, filled in when a draft is saved."""

    directive = "image"
    container = True
    usage = 'expected :::image HASH "Alt text" ["Credit"] [focal=X,Y], or :::image HASH decorative'

    media: MediaHash
    alt: AltText = ""
    decorative: bool = False
    caption: InlineText | None = None
    credit: Line | None = None
    focal: Focal | None = None
    width: Annotated[int, Meta(ge=0)] = 0
    height: Annotated[int, Meta(ge=0)] = 0
    format: Literal["", "png", "jpeg", "webp"] = ""
    caption_html: str = ""
    variants: list[ImageVariant] = []

    @classmethod
    def from_directive(cls, args: list[str], rest: str, text: str) -> dict[str, object] | None:
        if not args:
            return None
        words, focal = args[1:], None
        if words and (match := _FOCAL.match(words[-1])):
            focal = {"x": float(match["x"]), "y": float(match["y"])}
            words.pop()
        if len(words) > 2:
            return None
        fields: dict[str, object] = {"media": args[0], "caption": text or None, "focal": focal}
        if words and words[0] == "decorative":
            fields["decorative"] = True
        elif words:
            fields["alt"] = words[0]
        if len(words) == 2:
            fields["credit"] = words[1]
        return fields

    def markdown(self, lists_before: int = 0) -> str:
        words = ["image", self.media, "decorative" if self.decorative else self.alt]
        words += [self.credit] if self.credit else []
        words += [f"focal={self.focal.x!r},{self.focal.y!r}"] if self.focal else []
        caption = f"{self.caption}\n" if self.caption else ""
        return f":::{' '.join(quoted(w) for w in words)}\n{caption}:::"

    def words(self) -> list[str]:
        return [self.caption] if self.caption else []

    def problems(self) -> list[tuple[str, str]]:
        if self.decorative and self.alt:
            return [("alt", "a decorative image has no alt text: remove alt, or decorative")]
        if not self.decorative and not self.alt.strip():
            return [("alt", "describe the image for people who cannot see it, or set decorative: true")]
        return []

    def media_used(self) -> str | None:
        return self.media

    def rendered(self, link: Link) -> Self:
        caption_html = inline_html(self.caption) if self.caption else ""
        return replace(self, caption_html=caption_html, variants=self.sizes(link))

    def sizes(self, link: Link) -> list[ImageVariant]:
        """The variants ``content.media.variants`` serves (``link`` makes their URLs absolute)."""
        if not self.width or not self.format:
            return []
        widths = [w for w in MEDIA_WIDTHS if w < self.width] + [self.width]
        sizes = [(w, max(1, round(self.height * w / self.width))) for w in widths]
        return [
            ImageVariant(url=link(f"{MEDIA_PATH}{self.media}/{w}.{f}"), width=w, height=h, format=f)
            for f in dict.fromkeys(("webp", self.format))
            for w, h in sizes
        ]

    def stored(self) -> Self:
        return replace(self, caption_html="", variants=[])


# The registry: every block type, in the order the JSON schema lists them.
BlockType: TypeAlias = Heading | Paragraph | List | Callout | ComparisonEmbed | FaqEmbed | Cta | Image
BLOCK_TYPES: tuple[type[Block], ...] = get_args(BlockType)
DIRECTIVES: dict[str, type[Block]] = {cls.directive: cls for cls in BLOCK_TYPES if cls.directive}
Embed: TypeAlias = ComparisonEmbed | FaqEmbed

__all__ = [
    "BLOCK_TYPES",
    "DIRECTIVES",
    "MEDIA_PATH",
    "Block",
    "BlockType",
    "Callout",
    "ComparisonEmbed",
    "Cta",
    "Embed",
    "FaqEmbed",
    "Focal",
    "Heading",
    "Image",
    "ImageVariant",
    "Link",
    "List",
    "ListItem",
    "Paragraph",
]
