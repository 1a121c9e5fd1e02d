"""Block types and kinds own their behaviour; the published shapes are generated from one place."""

import msgspec
import pytest

from content import blocks, model
from content.errors import InvalidInput
from content.library import check_item, load_library
from content.markdown import parse_article_body, to_markdown
from content.readability import sections
from content.render import plain_text

EVERY_BLOCK = (
    "## Before *you* come\n\nBring [your list](https://example.org/list).\n\n"
    f':::image {"ab" * 32} "A pill organiser" "Photo: Clinic" focal=0.5,0.25\nFill it *weekly*.\n:::\n\n'
    "- [x] one\n- [x] two\n\n* three\n\n1. four\n\n"
    ':::callout warning "Careful"\nDo not drive.\n:::\n\n'
    "::comparison a-vs-b\n\n::faq some-faq q1\n\n::cta [Book now](brand:appointment)\n"
)


def test_the_registry_names_every_block_type_once_and_every_directive() -> None:
    tags = [cls.__struct_config__.tag for cls in blocks.BLOCK_TYPES]
    assert tags == ["heading", "paragraph", "list", "callout", "comparison", "faq", "cta", "image"]
    assert sorted(blocks.DIRECTIVES) == ["callout", "comparison", "cta", "faq", "image"]
    assert model.BLOCK_TYPES is blocks.BLOCK_TYPES and model.Heading is blocks.Heading


def test_every_block_writes_back_the_markdown_it_was_parsed_from() -> None:
    body = parse_article_body(EVERY_BLOCK)
    assert {b.type for b in body} == {cls.__struct_config__.tag for cls in blocks.BLOCK_TYPES}
    assert parse_article_body(to_markdown(body)) == body


def test_rendered_fills_and_stored_blanks_each_blocks_derived_fields() -> None:
    body = parse_article_body(EVERY_BLOCK)
    rendered = [
        b.rendered(lambda url: url.replace("brand:appointment", "https://clinic.example/book")) for b in body
    ]
    assert rendered[0].html == "Before <em>you</em> come"  # type: ignore[union-attr]
    assert rendered[-1].href == "https://clinic.example/book"  # type: ignore[union-attr]
    assert [b.stored() for b in rendered] == body


def test_blocks_say_what_they_show_embed_and_link_to() -> None:
    body = parse_article_body(EVERY_BLOCK)
    assert [b.embeds() for b in body if b.embeds()] == [("comparison", "a-vs-b"), ("faq", "some-faq")]
    assert [link for b in body for link in b.links()] == [("url", "brand:appointment")]
    assert body[0].section_title() == "Before you come" and body[1].section_title() is None
    assert [w for b in body for w in b.words()][-2:] == ["Do not drive.", "Book now"]


def test_published_shapes_are_each_kind_then_the_version_fields_declared_once() -> None:
    version_fields = model.Versioned.__struct_fields__
    for kind, spec in model.KIND_SPECS.items():
        published = spec.published
        assert published.__name__ == f"Published{spec.content.__name__}"
        assert issubclass(published, spec.content) and published is model.PUBLISHED_TYPES[kind]
        own = [f for f in spec.content.__struct_fields__ if f not in version_fields]
        assert published.__struct_fields__ == (*own[:7], "review", *own[7:], *version_fields[1:])
    schema = msgspec.json.schema(model.PublishedArticle)["$defs"]["PublishedArticle"]
    assert schema["properties"]["included"]["items"]["discriminator"]["mapping"] == {
        "faq": "#/$defs/PublishedFaqSet",
        "comparison": "#/$defs/PublishedComparison",
    }
    assert "review" in schema["required"] and "version" in schema["required"]


@pytest.mark.parametrize("kind", model.KINDS)
def test_each_kind_gives_its_words_and_sections_from_its_own_struct(kind: str) -> None:
    item = next(i for i in load_library().items if i.kind == kind and i.locale == "en")
    assert plain_text(item).startswith(item.title + "\n" + item.summary)
    titles = [title for title, _ in sections(item)]
    assert titles[0] == item.title and len(titles) > 1
    assert item.rendered(lambda url: url).stored() == item


def test_each_kind_declares_its_own_rules_and_the_library_applies_them() -> None:
    faq = msgspec.convert(
        {
            "type": "faq",
            "slug": "f",
            "title": "T",
            "summary": "S",
            "items": [
                {"id": "a", "question": "Q?", "answer": "A"},
                {"id": "a", "question": "Q2?", "answer": "B"},
            ],
        },
        model.Content,
    )
    table = msgspec.convert(
        {
            "type": "comparison",
            "slug": "c",
            "title": "T",
            "summary": "S",
            "subjects": ["x", "y"],
            "rows": [{"factor": "f", "values": ["1"]}],
        },
        model.Content,
    )
    assert faq.problems() == [("$.items[1]", "duplicate 'a'")]
    assert table.problems() == [("$.rows[0].values", "has 1 values for 2 subjects")]
    with pytest.raises(InvalidInput) as refused:
        check_item(table)
    assert refused.value.field == "$.rows[0].values"
