import datetime as dt

import msgspec
import pytest

from content import model

REVIEW = {"reviewedBy": "Clinical team", "reviewedOn": "2026-01-10", "nextReviewOn": "2027-01-10"}


def article(**overrides: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "type": "article",
        "slug": "a-slug",
        "title": "Title",
        "summary": "Summary",
        "review": REVIEW,
        "body": [{"type": "paragraph", "text": "Hello"}],
    }
    return doc | overrides


def test_decodes_tagged_blocks_and_defaults() -> None:
    body = [
        {"type": "heading", "level": 2, "text": "H"},
        {"type": "list", "style": "check", "items": [{"text": "one"}]},
        {"type": "callout", "tone": "warning", "text": "Careful"},
        {"type": "comparison", "slug": "x-vs-y"},
        {"type": "faq", "slug": "some-faq", "items": ["q1"]},
        {"type": "cta", "label": "Book", "url": "brand:appointment"},
    ]
    item = msgspec.convert(article(body=body), model.Content)
    assert isinstance(item, model.Article)
    assert item.locale == "en"
    assert [type(b).__name__ for b in item.body] == [
        "Heading",
        "List",
        "Callout",
        "ComparisonEmbed",
        "FaqEmbed",
        "Cta",
    ]
    assert item.kind == "article"


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"slug": "Not A Slug"}, "$.slug"),
        ({"title": 5}, "$.title"),
        ({"tags": "ketamine"}, "$.tags"),
        ({"locale": "english"}, "$.locale"),
        ({"body": []}, "$.body"),
        ({"body": [{"type": "heading", "level": 1, "text": "H"}]}, "$.body[0].level"),
        (
            {"body": [{"type": "list", "style": "stars", "items": [{"text": "x"}]}]},
            "$.body[0].style",
        ),
        ({"body": [{"type": "video", "src": "x"}]}, "$.body[0]"),
        ({"review": {**REVIEW, "reviewedOn": "last week"}}, "$.review.reviewedOn"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_content_names_the_field(overrides: dict[str, object], path: str) -> None:
    with pytest.raises(msgspec.ValidationError) as info:
        msgspec.convert(article(**overrides), model.Content)
    assert path in str(info.value)


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (dt.date(2026, 6, 1), "current"),
        (dt.date(2026, 12, 10), "current"),
        (dt.date(2026, 12, 11), "due"),
        (dt.date(2027, 1, 10), "due"),
        (dt.date(2027, 1, 11), "overdue"),
    ],
)
def test_review_status_is_derived_from_dates(today: dt.date, status: str) -> None:
    review = msgspec.convert(REVIEW, model.Review)
    assert review.status_on(today) == status


def test_wire_names_are_camel_case() -> None:
    review = msgspec.convert(REVIEW, model.Review)
    assert set(msgspec.to_builtins(review)) == {
        "reviewedBy",
        "credentials",
        "reviewedOn",
        "reviewedAt",
        "reviewedHash",
        "nextReviewOn",
        "status",
    }


def test_a_review_nobody_signed_is_unreviewed_whatever_its_dates() -> None:
    asked = model.Review(next_review_on=dt.date(2027, 1, 10))
    assert asked.status_on(dt.date(2026, 1, 1)) == "unreviewed" and asked.reviewer == ""
