"""What content is: items, typed blocks, versions and review metadata, as msgspec Structs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Literal, TypeAlias

import msgspec
from msgspec import Meta

from content.locales import DEFAULT_LOCALE
from content.options import Paper


class Wire(msgspec.Struct, rename="camel", kw_only=True, forbid_unknown_fields=True):
    """Base for every Struct on the wire and in the library.

    camelCase on the wire; unknown fields are rejected, so a typo is an error rather than
    silently dropped. Every key is always sent, so clients never guess at missing ones.
    Derived fields (``html``, ``href``, review ``status``) stay blank in the stored form the
    content hash is computed over, and are filled at read time. msgspec does not inherit
    ``kw_only``, hence it is repeated on each subclass.
    """


Kind: TypeAlias = Literal["article", "faq", "comparison"]

Slug = Annotated[str, Meta(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=120)]
Locale = Annotated[str, Meta(pattern=r"^[a-z]{2}(?:-[A-Z]{2})?$")]
Tag = Annotated[str, Meta(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=60)]
# Text is checked by pattern, the same in the spec as in the decoder. A single line has no
# control characters (C0, DEL, C1) and no Unicode line or paragraph separator: a title becomes an
# email Subject header and a PDF title. Longer text may hold tabs and line breaks, never NUL or
# other control characters, which PostgreSQL cannot store and no channel can render. The
# trailing ``(?!\n)`` keeps Python's ``$`` (which also matches before a final newline) as strict
# as ECMAScript's.
SINGLE_LINE = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$(?!\n)"
TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
Line = Annotated[str, Meta(min_length=1, max_length=200, pattern=SINGLE_LINE)]
Title = Line
Question = Annotated[str, Meta(min_length=1, max_length=300, pattern=SINGLE_LINE)]
# Inline Markdown source: emphasis, strong, code and links only.
InlineText = Annotated[str, Meta(min_length=1, max_length=10_000, pattern=TEXT)]
# Version numbers are 32-bit in both stores: anything above cannot exist and is refused as input.
MAX_VERSION = 2**31 - 1
# "unreviewed": no reviewer account has signed this version off (sample or library content).
ReviewStatus: TypeAlias = Literal["unreviewed", "current", "due", "overdue"]

# A review falls "due" this long before its next-review date.
REVIEW_DUE_WINDOW = dt.timedelta(days=30)


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


class Review(Wire, kw_only=True):
    """A reviewer's sign-off of a version's exact content, or (``reviewedBy`` null) its absence.

    A review exists only as a sign-off by a reviewer account in Folio: its display name and
    credentials, the time, and the content hash it covered. Library files never carry one; a
    file's ``review: {nextReviewOn}`` is a request (review by that day), kept in
    ``nextReviewOn`` of an unreviewed version.
    """

    reviewed_by: Line | None = None  # the reviewer's display name ("Ana Rivera")
    credentials: Line | None = None  # the reviewer's credentials ("MD"): schema.org honorificSuffix
    reviewed_on: dt.date | None = None
    reviewed_at: dt.datetime | None = None
    reviewed_hash: str | None = None  # the content hash the sign-off covered
    next_review_on: dt.date | None = None
    status: ReviewStatus | None = None  # derived at read time, never stored

    @property
    def signed(self) -> bool:
        return self.reviewed_by is not None

    @property
    def reviewer(self) -> str:
        """The reviewer as printed: "Ana Rivera, MD"; empty when unreviewed."""
        if self.reviewed_by is None:
            return ""
        return f"{self.reviewed_by}, {self.credentials}" if self.credentials else self.reviewed_by

    def status_on(self, today: dt.date) -> ReviewStatus:
        if not self.signed:
            return "unreviewed"
        if self.next_review_on is None:
            return "current"
        if today > self.next_review_on:
            return "overdue"
        if today >= self.next_review_on - REVIEW_DUE_WINDOW:
            return "due"
        return "current"


UNREVIEWED = Review()


# --- article blocks: a tagged union on "type" -------------------------------------------------


class Block(Wire, tag_field="type", kw_only=True):
    """One typed piece of an article body."""

    @property
    def type(self) -> str:
        """The block's tag; channels pick the block's template by it."""
        return self.__struct_config__.tag  # type: ignore[return-value]


class Heading(Block, tag="heading", kw_only=True):
    level: Annotated[int, Meta(ge=2, le=4)]
    text: InlineText
    html: str = ""


class Paragraph(Block, tag="paragraph", kw_only=True):
    text: InlineText
    html: str = ""


class ListItem(Wire, kw_only=True):
    text: InlineText
    html: str = ""


class List(Block, tag="list", kw_only=True):
    style: Literal["bullet", "check", "numbered"]
    items: Annotated[list[ListItem], Meta(min_length=1)]


class Callout(Block, tag="callout", kw_only=True):
    tone: Literal["info", "yes", "no", "warning"]
    title: Title | None = None
    text: InlineText
    html: str = ""


class ComparisonEmbed(Block, tag="comparison", kw_only=True):
    """Embeds a comparison table by reference."""

    slug: Slug
    # The embedded item's version pinned when this version was published; derived at read time.
    version: int | None = None


class FaqEmbed(Block, tag="faq", kw_only=True):
    """Embeds a FAQ set by reference: the whole set, or only the listed item ids."""

    slug: Slug
    items: list[Slug] = []
    # The embedded item's version pinned when this version was published; derived at read time.
    version: int | None = None


class Cta(Block, tag="cta", kw_only=True):
    """A call to action. ``url`` is a link or a brand setting: ``brand:appointment``, ``brand:phone``."""

    label: Line
    # Which schemes are allowed is checked with the item (content.library), naming the choices.
    url: Annotated[str, Meta(min_length=1, max_length=2000, pattern=SINGLE_LINE)]
    href: str = ""  # the resolved link, derived at read time


BlockType: TypeAlias = Heading | Paragraph | List | Callout | ComparisonEmbed | FaqEmbed | Cta
BLOCK_TYPES: tuple[type[Block], ...] = (Heading, Paragraph, List, Callout, ComparisonEmbed, FaqEmbed, Cta)
Embed: TypeAlias = ComparisonEmbed | FaqEmbed


# --- items: a tagged union on "type" ----------------------------------------------------------


class Item(Wire, tag_field="type", kw_only=True):
    """Fields every kind of item shares."""

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

    @property
    def kind(self) -> Kind:
        """The item's type tag: ``article``, ``faq`` or ``comparison``."""
        return self.__struct_config__.tag  # type: ignore[return-value]


class Article(Item, tag="article", kw_only=True):
    body: Annotated[list[BlockType], Meta(min_length=1)]


class FaqItem(Wire, kw_only=True):
    id: Slug
    question: Annotated[str, Meta(min_length=1, max_length=500, pattern=SINGLE_LINE)]
    answer: InlineText
    answer_html: str = ""


class FaqSet(Item, tag="faq", kw_only=True):
    items: Annotated[list[FaqItem], Meta(min_length=1)]


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


# The published shapes repeat VersionInfo's fields flat, so a client reads `article.version`:
# msgspec Structs cannot combine two field-bearing bases, so each kind declares them.
class PublishedArticle(Article, kw_only=True):
    review: Review
    version: int
    published_at: dt.datetime
    author: str
    note: str
    content_hash: str
    # The exact version of every item this version embeds, pinned when it was published.
    embeds: list[ItemRef] = []
    # With ?include=embeds: those versions in full, so one request carries a whole article.
    included: list[PublishedFaqSet | PublishedComparison] = []
    # How hard it is to read, in its locale's formulas.
    readability: Readability | None = None
    # The locale asked for, when it has no translation and this one was served instead.
    fallback_from: Locale | None = None
    # Every locale this item is published in (this one included).
    translations: list[Locale] = []


class PublishedFaqSet(FaqSet, kw_only=True):
    review: Review
    version: int
    published_at: dt.datetime
    author: str
    note: str
    content_hash: str
    # The exact version of every item this version embeds, pinned when it was published.
    embeds: list[ItemRef] = []
    # With ?include=embeds: those versions in full, so one request carries a whole article.
    included: list[PublishedFaqSet | PublishedComparison] = []
    # How hard it is to read, in its locale's formulas.
    readability: Readability | None = None
    # The locale asked for, when it has no translation and this one was served instead.
    fallback_from: Locale | None = None
    # Every locale this item is published in (this one included).
    translations: list[Locale] = []


class PublishedComparison(Comparison, kw_only=True):
    review: Review
    version: int
    published_at: dt.datetime
    author: str
    note: str
    content_hash: str
    # The exact version of every item this version embeds, pinned when it was published.
    embeds: list[ItemRef] = []
    # With ?include=embeds: those versions in full, so one request carries a whole article.
    included: list[PublishedFaqSet | PublishedComparison] = []
    # How hard it is to read, in its locale's formulas.
    readability: Readability | None = None
    # The locale asked for, when it has no translation and this one was served instead.
    fallback_from: Locale | None = None
    # Every locale this item is published in (this one included).
    translations: list[Locale] = []


Published: TypeAlias = PublishedArticle | PublishedFaqSet | PublishedComparison


@dataclass(frozen=True)
class KindSpec:
    """Everything that differs between kinds; controllers, library, CLI and channels read it."""

    name: Kind
    plural: str  # URL segment: /v1/{plural}/{slug}, /{plural}/{slug}
    title: str  # in operation ids and type names: getArticle, ArticleDraft
    content: type[Content]
    published: type[Published]
    folder: str  # library folder
    suffix: str  # library file suffix
    embeddable: bool  # an article body may embed it (faq, comparison blocks)


KIND_SPECS: dict[Kind, KindSpec] = {
    spec.name: spec
    for spec in (
        KindSpec("article", "articles", "Article", Article, PublishedArticle, "articles", ".md", False),
        KindSpec("faq", "faqs", "Faq", FaqSet, PublishedFaqSet, "faqs", ".yaml", True),
        KindSpec(
            "comparison",
            "comparisons",
            "Comparison",
            Comparison,
            PublishedComparison,
            "comparisons",
            ".yaml",
            True,
        ),
    )
}
KINDS: tuple[Kind, ...] = tuple(KIND_SPECS)
PLURALS: dict[Kind, str] = {name: spec.plural for name, spec in KIND_SPECS.items()}
BY_PLURAL: dict[str, KindSpec] = {spec.plural: spec for spec in KIND_SPECS.values()}
PUBLISHED_TYPES: dict[Kind, type[Published]] = {name: spec.published for name, spec in KIND_SPECS.items()}


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


_Wording = Annotated[str, Meta(min_length=1, max_length=60)]
_Disclaimer = Annotated[str, Meta(min_length=1, max_length=2000)]
_Note = Annotated[str, Meta(min_length=1, max_length=200, pattern=SINGLE_LINE)]


class BrandWords(Wire, kw_only=True):
    """The brand's words in one other locale; what is unset there comes from the catalogs."""

    disclaimer: _Disclaimer | None = None
    greeting: _Wording | None = None
    greeting_without_name: _Wording | None = None
    cta_label: _Wording | None = None
    email_disclaimer: _Disclaimer | None = None
    hours: _Note | None = None
    when_to_call: _Disclaimer | None = None


# Countries whose paper is US Letter; every other country prints on A4.
LETTER_COUNTRIES = frozenset({"US", "CA", "MX", "PH", "CL", "CO", "VE", "CR", "GT", "SV", "PA", "DO", "PR"})


class Brand(Wire, kw_only=True):
    """The clinic's identity; feeds exports, never written into articles."""

    clinic_name: Title
    phone: Annotated[str, Meta(pattern=r"^\+?[0-9 ()\-]{5,30}$")]
    email: Annotated[str, Meta(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    address: str | None = None
    appointment_url: Annotated[str, Meta(pattern=r"^https?://")]
    website_url: Annotated[str, Meta(pattern=r"^https?://")]
    disclaimer: _Disclaimer
    primary_color: Annotated[str, Meta(pattern=r"^#[0-9a-fA-F]{6}$")] = "#1f5f8b"
    accent_color: Annotated[str, Meta(pattern=r"^#[0-9a-fA-F]{6}$")] = "#e9f2f8"
    # Email wording; unset, the channel's own labels are used (and follow the locale).
    greeting: _Wording | None = None  # "Hello" Ana,
    greeting_without_name: _Wording | None = None  # "Hello",
    cta_label: _Wording | None = None  # every email's button
    email_disclaimer: _Disclaimer | None = None
    # Where the clinic is (ISO 3166 country): English is printed in that country's convention
    # (en-US: "November 2, 2026"; en-GB: "2 November 2026") and handouts default to its paper.
    country: Annotated[str, Meta(pattern=r"^[A-Z]{2}$")] = "US"
    # Printed at the end of every handout; unset, a sample marked as such is printed instead.
    hours: _Note | None = None  # "Monday to Friday, 8 a.m. to 6 p.m."
    when_to_call: _Disclaimer | None = None  # when a patient should call the clinic
    # The words above are English (the default locale's); ``translations`` gives other locales'.
    translations: dict[Locale, BrandWords] = {}

    @property
    def paper(self) -> Paper:
        """The paper handouts default to in the clinic's country."""
        return "letter" if self.country in LETTER_COUNTRIES else "a4"

    def in_locale(self, locale: str) -> Brand:
        """The brand as a channel prints it in ``locale``.

        English is the brand's own. In another locale, that locale's words replace the English
        ones; email wording it lacks is dropped (the channel's catalog then speaks the reader's
        language), while the disclaimer, which every handout must print, stays English.
        """
        if locale.split("-")[0] == DEFAULT_LOCALE:
            return self
        words = self.translations.get(locale) or self.translations.get(locale.split("-")[0]) or BrandWords()
        return msgspec.structs.replace(
            self,
            disclaimer=words.disclaimer or self.disclaimer,
            greeting=words.greeting,
            greeting_without_name=words.greeting_without_name,
            cta_label=words.cta_label,
            email_disclaimer=words.email_disclaimer,
            # The clinic's own words, even untranslated, beat a sample; unset in both, a sample.
            hours=words.hours or self.hours,
            when_to_call=words.when_to_call or self.when_to_call,
            translations={},
        )
