"""Reading-level metrics: the right formulas per locale, sentences where a reader sees them."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import msgspec
import pytest

from content import model
from content.readability import MIN_WORDS, Readability, above_threshold, measure, reading_text

REVIEW = model.Review(
    reviewed_by="Clinical review team",
    reviewed_on=dt.date(2026, 11, 2),
    next_review_on=dt.date(2027, 11, 2),
)


def _article(locale: str, title: str, *paragraphs: str) -> model.Article:
    return model.Article(
        slug="sample",
        locale=locale,
        title=title,
        summary=paragraphs[0],
        body=[model.Heading(level=2, text="A heading"), *(model.Paragraph(text=p) for p in paragraphs)],
        review=REVIEW,
    )


# Each long enough to grade (MIN_WORDS): the formulas mean nothing on a few words.
EASY_EN = _article(
    "en", "A short note", *["The dog ran. The cat sat. We went home.", "It was a good day."] * 8
)
HARD_EN = _article(
    "en",
    "Pharmacological considerations",
    *[
        "Subdissociative pharmacological administration substantially attenuates psychotomimetic "
        "phenomenology, notwithstanding considerable interindividual variability in susceptibility."
    ]
    * 8,
)
EASY_ES = _article(
    "es", "Una nota corta", *["El perro corre. El gato come. Vamos a casa.", "Es un buen día."] * 8
)
HARD_ES = _article(
    "es",
    "Consideraciones farmacológicas",
    *[
        "La administración farmacológica subdisociativa atenúa considerablemente la fenomenología "
        "psicotomimética, independientemente de la variabilidad interindividual de la susceptibilidad."
    ]
    * 8,
)


def test_english_gets_english_formulas() -> None:
    figures = measure(EASY_EN)
    assert figures.locale == "en" and figures.words > 0 and figures.sentences > 0
    assert figures.flesch_kincaid_grade is not None and figures.smog is not None
    assert figures.fernandez_huerta is None and figures.szigriszt_pazos is None


def test_spanish_gets_spanish_formulas() -> None:
    figures = measure(EASY_ES)
    assert figures.locale == "es"
    assert figures.fernandez_huerta is not None and figures.szigriszt_pazos is not None
    assert figures.flesch_kincaid_grade is None and figures.smog is None


def test_a_regional_locale_uses_its_language() -> None:
    figures = measure(_article("es-MX", "Una nota corta", *["El perro corre. El gato come."] * 20))
    assert figures.locale == "es-MX" and figures.fernandez_huerta is not None


def test_other_locales_count_words_but_claim_no_grade() -> None:
    figures = measure(_article("fr", "Une note", "Le chien court. Le chat mange."))
    assert figures.words > 0
    assert (figures.flesch_kincaid_grade, figures.smog, figures.fernandez_huerta) == (None, None, None)


def test_harder_text_measures_harder() -> None:
    easy, hard = measure(EASY_EN), measure(HARD_EN)
    assert easy.flesch_kincaid_grade is not None and hard.flesch_kincaid_grade is not None
    assert easy.flesch_kincaid_grade < 4 < 12 < hard.flesch_kincaid_grade
    easy_es, hard_es = measure(EASY_ES), measure(HARD_ES)
    assert easy_es.fernandez_huerta is not None and hard_es.fernandez_huerta is not None
    assert hard_es.fernandez_huerta < 40 < 80 < easy_es.fernandez_huerta


def test_headings_and_cells_end_as_sentences() -> None:
    comparison = model.Comparison(
        slug="sample",
        title="Two things side by side",
        summary="They differ.",
        subjects=["One", "Two"],
        rows=[model.ComparisonRow(factor="Dose", values=["Low", "High"])],
        review=REVIEW,
    )
    assert reading_text(comparison).splitlines() == [
        "Two things side by side.",
        "They differ.",
        "One.",
        "Two.",
        "Dose.",
        "Low.",
        "High.",
    ]
    # A question keeps its own mark rather than gaining a full stop.
    assert reading_text(_article("en", "Is it safe?", "Yes.")).splitlines()[0] == "Is it safe?"


def test_measuring_is_safe_across_threads() -> None:
    """Locales measured at the same time never borrow each other's language."""
    items = [EASY_EN, HARD_ES, HARD_EN, EASY_ES] * 25
    expected = [measure(item) for item in items]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(measure, items)) == expected


@pytest.mark.parametrize("item", [EASY_EN, EASY_ES])
def test_wire_shape_is_camel_case(item: model.Article) -> None:
    data = msgspec.json.decode(msgspec.json.encode(measure(item)))
    assert set(data) == {
        "locale",
        "words",
        "sentences",
        "tooShortToGrade",
        "minimumWords",
        "fleschKincaidGrade",
        "smog",
        "fernandezHuerta",
        "szigrisztPazos",
        "sections",
    }
    assert msgspec.convert(data, Readability) == measure(item)


def test_twenty_words_are_too_short_to_grade_and_pass_the_gate() -> None:
    short = _article(
        "en", "Public title", "Subdissociative pharmacological administration attenuates phenomenology."
    )
    figures = measure(short)
    assert figures.words < MIN_WORDS and figures.too_short_to_grade
    assert (figures.flesch_kincaid_grade, figures.smog, figures.fernandez_huerta) == (None, None, None)
    assert above_threshold(figures, 8) is None  # the gate does not apply
    assert above_threshold(measure(HARD_EN), 8) is not None


def test_each_section_is_graded_on_its_own() -> None:
    """Split at headings, FAQ entries and table rows, so an editor sees which part reads hard."""
    article = model.Article(
        slug="sample",
        title="Two parts",
        summary="The dog ran. The cat sat.",
        body=[
            model.Paragraph(text="We went home. It was a good day."),
            model.Heading(level=2, text="The hard part"),
            model.Paragraph(text=HARD_EN.body[1].text),  # type: ignore[union-attr]
        ],
    )
    parts = measure(article).sections
    assert [p.title for p in parts] == ["Two parts", "The hard part"]
    assert all(p.indicative for p in parts)  # each under MIN_WORDS: a pointer, not a grade
    easy, hard = (p.flesch_kincaid_grade for p in parts)
    assert easy is not None and hard is not None and easy < 4 < 12 < hard
    faq = model.FaqSet(
        slug="s",
        title="Questions",
        summary="Answers.",
        items=[
            model.FaqItem(id="a", question="Is it safe?", answer="Yes."),
            model.FaqItem(id="b", question="Why?", answer="Because."),
        ],
    )
    assert [p.title for p in measure(faq).sections] == ["Questions", "Is it safe?", "Why?"]
    table = model.Comparison(
        slug="s",
        title="Side by side",
        summary="They differ.",
        subjects=["One", "Two"],
        rows=[model.ComparisonRow(factor="Dose", values=["Low", "High"])],
    )
    assert [p.title for p in measure(table).sections] == ["Side by side", "Dose"]
