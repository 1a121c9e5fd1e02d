"""What content is: items, typed blocks, versions and review metadata, as msgspec Structs."""

from __future__ import annotations

import datetime as dt
import typing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Self, TypeAlias, cast

import msgspec
from msgspec import Meta
from msgspec.structs import replace

from content.blocks import *  # noqa: F403  (every block type stays reachable as model.<Block>)
from content.blocks import BlockType, Link
from content.brand import *  # noqa: F403  (the brand, where every module has always found it)
from content.inline import inline_html
from content.locales import DEFAULT_LOCALE
from content.review import *  # noqa: F403  (and the review)
from content.review import Review
from content.types import *  # noqa: F403  (so do the shared scalar types)
from content.types import (
    MAX_VERSION,
    SINGLE_LINE,
    TEXT,
    InlineText,
    Line,
    Locale,
    Question,
    Slug,
    Tag,
    Title,
    Wire,
)

Kind: TypeAlias = Literal["article", "faq", "comparison"]


class Ref(Wire, kw_only=True):
    """A reference to another item by kind and slug."""

    type: Kind
    slug: Slug


class ItemRef(Wire, kw_only=True):
    """An item, at a given version or (without one) its latest; in a locale, or as negotiated."""

    type: Kind
    slug: Slug
    version: Annotated[int, Meta(ge=1, le=MAX_VERSION)] | None = None
    locale: Locale | None = None


# The code systems items may carry (content.codes holds each one's shape and OID).
CodeSystemUri: TypeAlias = Literal[
    "http://hl7.org/fhir/sid/icd-10-cm",
    "http://snomed.info/sct",
    "http://www.nlm.nih.gov/research/umls/rxnorm",
    "http://loinc.org",
]


class Code(Wire, kw_only=True):
    """A clinical code the item is about, as FHIR writes a Coding: ICD-10-CM, SNOMED CT, RxNorm, LOINC.

    The code's shape (and check digit) for its system is checked with the item
    (content.library.check_item).
    """

    system: CodeSystemUri
    code: Annotated[str, Meta(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z.\-]+$")]
    display: Line


# --- items: a tagged union on "type" ----------------------------------------------------------


class Item(Wire, tag_field="type", kw_only=True):
    """Fields every kind of item shares, and each kind's behaviour (the defaults: no parts)."""

    slug: Slug
    locale: Locale = DEFAULT_LOCALE
    title: Title
    summary: Annotated[str, Meta(min_length=1, max_length=2000, pattern=TEXT)]
    tags: list[Tag] = []
    related: list[Ref] = []
    # Clinical codes: how an EHR finds the item (Infobutton, FHIR, CDS Hooks).
    codes: list[Code] = []
    # Never stored with the content: a draft's sign-off, or a version's, shown where it is read.
    review: Review | None = None
    # "Questions to ask your care team" printed at the end of a handout; left out, a handout lists
    # the item's own FAQ questions. UNSET, not [], so items without it keep their content hash.
    questions: list[Question] | msgspec.UnsetType = msgspec.UNSET

    # What a diff lists element by element: the list's field and, for keyed entries, the field
    # that identifies one (None: blocks, aligned by content); and the kind's other diffed fields.
    elements: ClassVar[tuple[str, str | None] | None] = None
    diff_fields: ClassVar[tuple[str, ...]] = ()

    @property
    def kind(self) -> Kind:
        """The item's type tag: ``article``, ``faq`` or ``comparison``."""
        return cast("Kind", self.__struct_config__.tag)  # every kind sets tag=

    def rendered(self, link: Link) -> Self:
        """The item as readers get it: derived fields (HTML, resolved links) filled in."""
        return self

    def stored(self) -> Self:
        """The item as stored and hashed: derived fields blank."""
        return self

    def words(self) -> list[str]:
        """Every text the item shows, as Markdown source, in reading order (the search index)."""
        return [self.title, self.summary]

    def sections(self) -> list[tuple[str, list[str]]]:
        """(title, texts) of each part graded on its own: the opening, then the kind's parts."""
        return [(self.title, [self.title, self.summary])]

    def problems(self) -> list[tuple[str, str]]:
        """(field, why) for each rule the item breaks beyond its types; the library refuses it."""
        return []


class Article(Item, tag="article", kw_only=True):
    body: Annotated[list[BlockType], Meta(min_length=1)]

    elements = ("body", None)

    def rendered(self, link: Link) -> Self:
        return replace(self, body=[b.rendered(link) for b in self.body])

    def stored(self) -> Self:
        return replace(self, body=[b.stored() for b in self.body])

    def words(self) -> list[str]:
        return [self.title, self.summary, *(word for block in self.body for word in block.words())]

    def sections(self) -> list[tuple[str, list[str]]]:
        parts = super().sections()
        for block in self.body:
            if (title := block.section_title()) is not None:
                parts.append((title, block.words()))
            else:
                parts[-1][1].extend(block.words())
        return parts


class FaqItem(Wire, kw_only=True):
    id: Slug
    question: Annotated[str, Meta(min_length=1, max_length=500, pattern=SINGLE_LINE)]
    answer: InlineText
    answer_html: str = ""


class FaqSet(Item, tag="faq", kw_only=True):
    items: Annotated[list[FaqItem], Meta(min_length=1)]

    elements = ("items", "id")

    def rendered(self, link: Link) -> Self:
        return replace(self, items=[replace(e, answer_html=inline_html(e.answer)) for e in self.items])

    def stored(self) -> Self:
        return replace(self, items=[replace(e, answer_html="") for e in self.items])

    def words(self) -> list[str]:
        return [self.title, self.summary, *(text for e in self.items for text in (e.question, e.answer))]

    def sections(self) -> list[tuple[str, list[str]]]:
        return super().sections() + [(e.question, [e.question, e.answer]) for e in self.items]

    def problems(self) -> list[tuple[str, str]]:
        return _duplicates("$.items", [e.id for e in self.items])


class ComparisonRow(Wire, kw_only=True):
    factor: Line
    values: Annotated[list[InlineText], Meta(min_length=1)]
    values_html: list[str] = []


class Comparison(Item, tag="comparison", kw_only=True):
    subjects: Annotated[list[Title], Meta(min_length=2)]
    rows: Annotated[list[ComparisonRow], Meta(min_length=1)]
    # Called footnote, not note: a published version's flat fields already have the change note.
    footnote: InlineText | None = None
    footnote_html: str = ""

    elements = ("rows", "factor")
    diff_fields = ("subjects", "footnote")

    def rendered(self, link: Link) -> Self:
        rows = [replace(r, values_html=[inline_html(v) for v in r.values]) for r in self.rows]
        return replace(self, rows=rows, footnote_html=inline_html(self.footnote) if self.footnote else "")

    def stored(self) -> Self:
        return replace(self, rows=[replace(r, values_html=[]) for r in self.rows], footnote_html="")

    def words(self) -> list[str]:
        rows = [text for row in self.rows for text in (row.factor, *row.values)]
        return [self.title, self.summary, *self.subjects, *rows, *filter(None, [self.footnote])]

    def sections(self) -> list[tuple[str, list[str]]]:
        opening = [self.title, self.summary, *self.subjects, *filter(None, [self.footnote])]
        return [(self.title, opening)] + [(r.factor, [r.factor, *r.values]) for r in self.rows]

    def problems(self) -> list[tuple[str, str]]:
        return _duplicates("$.rows", [r.factor for r in self.rows]) + [
            (f"$.rows[{i}].values", f"has {len(r.values)} values for {len(self.subjects)} subjects")
            for i, r in enumerate(self.rows)
            if len(r.values) != len(self.subjects)
        ]


def _duplicates(field: str, keys: list[str]) -> list[tuple[str, str]]:
    return [(f"{field}[{i}]", f"duplicate {key!r}") for i, key in enumerate(keys) if key in keys[:i]]


Content: TypeAlias = Article | FaqSet | Comparison


# --- published versions -----------------------------------------------------------------------


class VersionInfo(Wire, kw_only=True):
    """What is recorded about one published version."""

    version: Annotated[int, Meta(ge=1)]
    published_at: dt.datetime
    author: str
    note: str
    content_hash: str
    review: Review


class SectionReadability(Wire, kw_only=True):
    """One section's reading level: the part under a heading, one FAQ entry, one table row.

    ``indicative`` when it has fewer words than the formulas need: a pointer to the part that
    reads hard, never a grade the plain-language gate holds anyone to.
    """

    title: str  # the heading, the question or the row's factor; the item's title for its opening
    words: int
    sentences: int
    indicative: bool
    flesch_kincaid_grade: float | None = None
    fernandez_huerta: float | None = None
    szigriszt_pazos: float | None = None


class Readability(Wire, kw_only=True):
    """Reading-level figures for one item; a figure that does not apply to its locale is null.

    ``fleschKincaidGrade`` and ``smog`` are US school grades (lower is easier).
    ``fernandezHuerta`` and ``szigrisztPazos`` run from 0 to 100 (higher is easier; 60 to 70
    is "normal"). Below ``minimumWords`` the text is ``tooShortToGrade``: every figure is null
    and the plain-language gate does not apply. ``sections`` grade each part on its own.
    """

    locale: Locale
    words: int
    sentences: int
    too_short_to_grade: bool = False
    minimum_words: int = 100
    flesch_kincaid_grade: float | None = None
    smog: float | None = None
    fernandez_huerta: float | None = None
    szigriszt_pazos: float | None = None
    sections: list[SectionReadability] = []


class Versioned(Wire, kw_only=True):
    """What a published version adds to its item, flat, so a client reads ``article.version``.

    Declared once; ``Published<Kind>`` is generated per kind below (msgspec Structs cannot
    combine two field-bearing bases, so these fields are appended to each kind's Struct).
    """

    review: Review
    version: int
    published_at: dt.datetime
    author: str
    note: str
    content_hash: str
    # The exact version of every item this version embeds, pinned when it was published.
    embeds: list[ItemRef] = []
    # With ?include=embeds: those versions in full, so one request carries a whole article.
    included: list[Included] = []
    # How hard it is to read, in its locale's formulas.
    readability: Readability | None = None
    # The locale asked for, when it has no translation and this one was served instead.
    fallback_from: Locale | None = None
    # Every locale this item is published in (this one included).
    translations: list[Locale] = []


if TYPE_CHECKING:  # what the generated Structs are, for the type checker (review: required here)

    class PublishedArticle(Versioned, Article, kw_only=True): ...  # type: ignore[misc]  # review required

    class PublishedFaqSet(Versioned, FaqSet, kw_only=True): ...  # type: ignore[misc]  # review required

    class PublishedComparison(Versioned, Comparison, kw_only=True): ...  # type: ignore[misc]  # review required

    Included: TypeAlias = PublishedFaqSet | PublishedComparison
    Published: TypeAlias = PublishedArticle | PublishedFaqSet | PublishedComparison


@dataclass(frozen=True)
class KindSpec:
    """Everything that differs between kinds; controllers, library, CLI and channels read it."""

    name: Kind
    plural: str  # URL segment: /v1/{plural}/{slug}, /{plural}/{slug}
    title: str  # in operation ids and type names: getArticle, ArticleDraft
    content: type[Content]
    folder: str  # library folder
    suffix: str  # library file suffix
    embeddable: bool  # an article body may embed it (faq, comparison blocks)

    @property
    def published(self) -> type[Published]:
        """``Published<Content>``: the kind's Struct and ``Versioned``'s fields (generated below)."""
        return PUBLISHED_TYPES[self.name]


# The kind registry: a new kind is its Struct above, one entry here, and its channel templates.
KIND_SPECS: dict[Kind, KindSpec] = {
    spec.name: spec
    for spec in (
        KindSpec("article", "articles", "Article", Article, "articles", ".md", False),
        KindSpec("faq", "faqs", "Faq", FaqSet, "faqs", ".yaml", True),
        KindSpec("comparison", "comparisons", "Comparison", Comparison, "comparisons", ".yaml", True),
    )
}
KINDS: tuple[Kind, ...] = tuple(KIND_SPECS)
PLURALS: dict[Kind, str] = {name: spec.plural for name, spec in KIND_SPECS.items()}
BY_PLURAL: dict[str, KindSpec] = {spec.plural: spec for spec in KIND_SPECS.values()}


def _published(content: type[Content]) -> type[Published]:
    """``Published<Content>``: the kind's fields, then ``Versioned``'s with their defaults
    (``review``, which both declare, keeps its place and becomes required)."""
    names, defaults = Versioned.__struct_fields__, Versioned.__struct_defaults__
    required = len(names) - len(defaults)
    spec: list[tuple[str, Any] | tuple[str, Any, Any]] = [
        (name, Versioned.__annotations__[name]) for name in names[:required]
    ]
    spec += [
        (name, Versioned.__annotations__[name], default)
        for name, default in zip(names[required:], defaults, strict=True)
    ]
    name = f"Published{content.__name__}"
    return typing.cast(
        "type[Published]", msgspec.defstruct(name, spec, bases=(content,), kw_only=True, module=__name__)
    )


PUBLISHED_TYPES: dict[Kind, type[Published]] = {
    name: _published(spec.content) for name, spec in KIND_SPECS.items()
}
if not TYPE_CHECKING:
    globals().update({cls.__name__: cls for cls in PUBLISHED_TYPES.values()})
    Included = typing.Union[tuple(PUBLISHED_TYPES[k] for k, s in KIND_SPECS.items() if s.embeddable)]  # noqa: UP007
    Published = typing.Union[tuple(PUBLISHED_TYPES.values())]  # noqa: UP007


class ItemSummary(Wire, kw_only=True):
    """An item as it appears in lists."""

    type: Kind
    slug: Slug
    locale: Locale
    title: str
    summary: str
    tags: list[str]
    version: int
    published_at: dt.datetime
    review: Review
    # The locale asked for, when it has no translation and this one was listed instead.
    fallback_from: Locale | None = None
