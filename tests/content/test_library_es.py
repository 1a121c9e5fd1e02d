"""The Spanish library: every English item translated, same shape, plain to read.

The files sit under ``content/library/es/``; they are loaded one by one here, and the last tests
check that the library loader reads them as the Spanish translations.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from content import model
from content.errors import LibraryError
from content.library import DEFAULT_LIBRARY, check_references, load_item, load_library
from content.readability import measure

SPANISH = DEFAULT_LIBRARY / "es"
FOLDERS: dict[model.Kind, tuple[str, str]] = {
    "article": ("articles", ".md"),
    "faq": ("faqs", ".yaml"),
    "comparison": ("comparisons", ".yaml"),
}
# Fernández-Huerta: 60 to 70 is "normal", 70 to 80 "fairly easy" (higher is easier).
PLAIN_SPANISH = 60.0


def _spanish() -> dict[tuple[str, str], model.Content]:
    items: dict[tuple[str, str], model.Content] = {}
    for kind, (folder, suffix) in FOLDERS.items():
        for path in sorted((SPANISH / folder).glob(f"*{suffix}")):
            items[(kind, path.stem)] = load_item(kind, path)
    return items


def test_each_spanish_file_is_a_valid_spanish_item() -> None:
    items = _spanish()
    assert len(items) == sum(1 for path in SPANISH.rglob("*") if path.is_file())
    for item in items.values():
        assert item.locale == "es"
        assert item.review is not None and not item.review.signed  # a request, never a review
    # Embeds, related items and embedded FAQ ids all name Spanish items that exist.
    assert check_references(items.values(), set(items), SPANISH) == []


def test_every_english_item_has_a_spanish_translation_of_the_same_shape() -> None:
    english = {(item.kind, item.slug): item for item in load_library().items}
    spanish = _spanish()
    assert set(spanish) == set(english)
    for key, en in english.items():
        es = spanish[key]
        assert (es.tags, es.related) == (en.tags, en.related), key
        match en, es:
            case model.FaqSet(), model.FaqSet():
                assert [entry.id for entry in es.items] == [entry.id for entry in en.items]
            case model.Comparison(), model.Comparison():
                assert len(es.subjects) == len(en.subjects)
                assert [len(row.values) for row in es.rows] == [len(row.values) for row in en.rows]
                assert (es.footnote is None) == (en.footnote is None)
            case model.Article(), model.Article():
                assert [_shape(block) for block in es.body] == [_shape(block) for block in en.body]
            case _:
                pytest.fail(f"{key}: Spanish item is a {es.kind}")


def _shape(block: model.BlockType) -> object:
    """What a translation must keep: block types, list styles and sizes, tones, embeds, links."""
    match block:
        case model.Heading(level=level):
            return ("heading", level)
        case model.List(style=style, items=entries):
            return ("list", style, len(entries))
        case model.Callout(tone=tone):
            return ("callout", tone)
        case model.Cta(url=url):
            return ("cta", url)
        case model.ComparisonEmbed() | model.FaqEmbed():
            return block
    return block.__struct_config__.tag


def test_spanish_items_read_as_plain_spanish() -> None:
    scores = {f"{kind}/{slug}": measure(item).fernandez_huerta for (kind, slug), item in _spanish().items()}
    assert all(score is not None and score >= PLAIN_SPANISH for score in scores.values()), scores


def test_the_loader_reads_the_spanish_folder_as_spanish_translations() -> None:
    items = load_library().items
    spanish = {(item.kind, item.slug): item for item in items if item.locale == "es"}
    assert len(items) == 8 and spanish == _spanish()


def test_a_file_whose_locale_is_not_its_folders_is_refused(library: Path) -> None:
    path = library / "es" / "faqs" / "ketamine-addiction-faq.yaml"
    path.write_text(path.read_text().replace("locale: es", "locale: en"))
    with pytest.raises(LibraryError) as info:
        load_library(library)
    [problem] = info.value.problems
    assert str(path) in problem and "$.locale" in problem and "es/" in problem


def test_a_translation_may_refer_to_an_item_only_the_default_locale_has(library: Path) -> None:
    (library / "es" / "comparisons" / "medical-vs-recreational-ketamine.yaml").unlink()
    items = load_library(library).items
    assert ("article", "is-ketamine-therapy-addictive", "es") in {(i.kind, i.slug, i.locale) for i in items}
