import pytest

from content import model
from content.errors import InvalidInput
from content.markdown import inline_html, parse_article_body


def test_blocks_from_markdown_and_directives() -> None:
    body = parse_article_body(
        "## Why *this* matters\n\nA paragraph\nover two lines.\n\n"
        "- [x] checked one\n- [x] checked two\n\n* plain\n* bullets\n\n1. first\n2. second\n\n"
        ':::callout no "Do not"\nMix with alcohol.\n:::\n\n'
        "::comparison a-vs-b\n::faq some-faq q1 q2\n::cta [Book now](brand:appointment)\n"
    )
    assert body == [
        model.Heading(level=2, text="Why *this* matters"),
        model.Paragraph(text="A paragraph over two lines."),
        model.List(
            style="check",
            items=[model.ListItem(text="checked one"), model.ListItem(text="checked two")],
        ),
        model.List(style="bullet", items=[model.ListItem(text="plain"), model.ListItem(text="bullets")]),
        model.List(style="numbered", items=[model.ListItem(text="first"), model.ListItem(text="second")]),
        model.Callout(tone="no", title="Do not", text="Mix with alcohol."),
        model.ComparisonEmbed(slug="a-vs-b"),
        model.FaqEmbed(slug="some-faq", items=["q1", "q2"]),
        model.Cta(label="Book now", url="brand:appointment"),
    ]


@pytest.mark.parametrize(
    ("source", "field", "message"),
    [
        ("Intro\n\n:::callout info\nnever closed\n", "body line 3", "never closed"),
        (":::callout shouting\ntext\n:::\n", "body line 1", "tone"),
        ("::video abc\n", "body line 1", "directive"),
        ("para\n\n# A second title\n", "body line 3", "headings"),
        ("- one\n  - nested\n", "body line 1", "nested"),
        ("> a quotation\n", "body line 1", "unsupported"),
    ],
)
def test_bad_source_is_reported_with_its_line(source: str, field: str, message: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_article_body(source)
    assert info.value.field == field
    assert message in info.value.detail


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "[click](JAVASCRIPT:alert(1))",
        "[data](data:text/html;base64,PHNjcmlwdD4=)",
        '<img src=x onerror="alert(1)">',
        "[x](vbscript:msgbox)",
    ],
)
def test_inline_html_never_carries_script(source: str) -> None:
    html = inline_html(source)
    assert "<script" not in html
    assert 'href="javascript' not in html.lower()
    assert "<img" not in html
    assert 'href="data:' not in html and 'href="vbscript' not in html


def test_raw_html_in_source_stays_literal_text() -> None:
    [paragraph] = parse_article_body("<div onclick=x>hi</div>\n")
    assert inline_html(paragraph.text) == "&lt;div onclick=x&gt;hi&lt;/div&gt;"  # type: ignore[union-attr]


def test_inline_html_keeps_emphasis_and_safe_links() -> None:
    html = inline_html("**Bold**, *em* and [call](tel:+15550100) or [site](https://example.org)")
    assert html == (
        "<strong>Bold</strong>, <em>em</em> and "
        '<a href="tel:+15550100" rel="noopener noreferrer">call</a> or '
        '<a href="https://example.org" rel="noopener noreferrer">site</a>'
    )
