"""The bundled library: valid, faithful in structure, and free of the sources' wording and names."""

import re
from pathlib import Path

import pytest

from content import model
from content.errors import LibraryError
from content.library import DEFAULT_LIBRARY, load_library
from content.readability import measure

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def test_bundled_library_has_the_required_items() -> None:
    lib = load_library()
    english = [item for item in lib.items if item.locale == "en"]
    by_key = {(item.kind, item.slug): item for item in english}
    assert set(by_key) == {
        ("article", "ketamine-withdrawal"),
        ("article", "is-ketamine-therapy-addictive"),
        ("faq", "ketamine-addiction-faq"),
        ("comparison", "medical-vs-recreational-ketamine"),
    }
    faq = by_key[("faq", "ketamine-addiction-faq")]
    assert isinstance(faq, model.FaqSet) and len(faq.items) >= 6
    comparison = by_key[("comparison", "medical-vs-recreational-ketamine")]
    assert isinstance(comparison, model.Comparison)
    assert [row.factor for row in comparison.rows] == [
        "Doses",
        "Supervision",
        "Frequency",
        "Purpose",
        "Risk of addiction",
    ]
    article = by_key[("article", "is-ketamine-therapy-addictive")]
    assert isinstance(article, model.Article)
    embeds = [b for b in article.body if isinstance(b, model.ComparisonEmbed | model.FaqEmbed)]
    assert embeds == [
        model.ComparisonEmbed(slug="medical-vs-recreational-ketamine"),
        model.FaqEmbed(slug="ketamine-addiction-faq"),
    ]
    for item in english:  # a file asks for a review by a day; it never records one
        assert item.review is not None and not item.review.signed and item.review.next_review_on
    # Each English item has its Spanish translation beside it, loaded from es/.
    assert {(i.kind, i.slug) for i in lib.items if i.locale == "es"} == set(by_key)


def test_bundled_english_items_read_at_grade_8_or_below() -> None:
    """Patient materials should read at school grade 6 to 8 (Flesch-Kincaid)."""
    grades = {}
    for item in load_library().items:
        if item.locale != "en":
            continue
        grades[f"{item.kind}/{item.slug}"] = measure(item).flesch_kincaid_grade
    assert all(grade is not None and grade <= 8 for grade in grades.values()), grades


def _library_text() -> str:
    return "\n".join(p.read_text() for p in DEFAULT_LIBRARY.rglob("*") if p.is_file())


def test_library_names_no_source_clinic() -> None:
    text = _library_text().lower()
    for name in ("isha", "balanced ketamine"):
        assert name not in text


@pytest.mark.skipif(not SEEDS.exists(), reason="seed documents are beside the repository")
def test_library_does_not_paste_source_sentences() -> None:
    """No run of 10 consecutive words from a seed appears in the library."""

    def words(text: str) -> list[str]:
        return re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))

    ours = " ".join(words(_library_text()))
    for seed in SEEDS.glob("*.txt"):
        seed_words = words(seed.read_text())
        copied = [
            " ".join(seed_words[i : i + 10])
            for i in range(len(seed_words) - 9)
            if " ".join(seed_words[i : i + 10]) in ours
        ]
        assert copied == [], f"{seed.name}: {copied[:3]}"


def test_type_error_names_file_and_field(library: Path) -> None:
    path = library / "faqs" / "ketamine-addiction-faq.yaml"
    path.write_text(path.read_text().replace('nextReviewOn: "2027-11-02"', "nextReviewOn: soon"))
    with pytest.raises(LibraryError) as info:
        load_library(library)
    [problem] = info.value.problems
    assert str(path) in problem and "$.review.nextReviewOn" in problem


@pytest.mark.parametrize("claim", ["reviewedBy: Clinical review team", 'reviewedOn: "2026-11-02"'])
def test_a_file_cannot_record_a_review(library: Path, claim: str) -> None:
    """A review is a sign-off in Folio: a file naming a reviewer or a review date is refused."""
    path = library / "articles" / "ketamine-withdrawal.md"
    path.write_text(path.read_text().replace("review:\n", f"review:\n  {claim}\n"))
    with pytest.raises(LibraryError) as info:
        load_library(library)
    [problem] = info.value.problems
    field = "$.review." + claim.split(":")[0]
    assert str(path) in problem and field in problem and "only a reviewer's sign-off" in problem


def test_every_problem_is_reported_at_once(library: Path) -> None:
    (library / "comparisons" / "medical-vs-recreational-ketamine.yaml").unlink()
    article = library / "articles" / "ketamine-withdrawal.md"
    article.write_text(article.read_text().replace("tags: [ketamine, withdrawal, safety]", "tags: 7\nhue: x"))
    with pytest.raises(LibraryError) as info:
        load_library(library)
    problems = "\n".join(info.value.problems)
    assert "ketamine-withdrawal.md" in problems
    assert "no comparison 'medical-vs-recreational-ketamine'" in problems
    assert "$.body[" in problems  # the embed in is-ketamine-therapy-addictive


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (
            "::cta [Request an appointment](brand:appointment)",
            "::cta [Go](javascript:alert)",
            "$.body[12].url",
        ),
        (
            "::cta [Request an appointment](brand:appointment)",
            "::cta [Go](brand:fax)",
            "$.body[12].url",
        ),
        ('nextReviewOn: "2027-11-02"', "nextReviewOn: someday", "$.review.nextReviewOn"),
        ("---\ntitle:", "---\nslug: other\ntitle:", "$.slug"),
    ],
)
def test_article_rules(library: Path, old: str, new: str, field: str) -> None:
    path = library / "articles" / "ketamine-withdrawal.md"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    with pytest.raises(LibraryError) as info:
        load_library(library)
    assert any(field in p for p in info.value.problems), info.value.problems


def test_comparison_rows_match_subjects(library: Path) -> None:
    path = library / "comparisons" / "medical-vs-recreational-ketamine.yaml"
    path.write_text(path.read_text().replace("      - Low\n", "", 1))
    with pytest.raises(LibraryError) as info:
        load_library(library)
    assert "$.rows[4].values" in info.value.problems[0]
