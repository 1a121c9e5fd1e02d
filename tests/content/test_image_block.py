"""The image block: its Markdown form, its rules, and how each channel shows it (from bundles)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import subprocess
from typing import Any

import msgspec
import pikepdf
import pytest
from PIL import Image as Pillow
from PIL import ImageDraw

from content import blocks, media, model, render
from content.bundle import Bundle, make_bundle
from content.errors import InvalidInput
from content.library import check_item, load_library
from content.markdown import parse_article_body, to_markdown
from exporters.email import EmailOptions
from exporters.email.render import email_parts
from exporters.pdf import HandoutOptions, render_pdf
from exporters.pdf.fetcher import RefusedURL, SafeFetcher
from exporters.web import PageOptions, render_page
from tests.exporters.conftest import TODAY

HASH = "ab" * 32
OTHER = "cd" * 32
PUBLIC = "https://folio.example"


def diagram(width: int = 1600, height: int = 1000) -> bytes:
    """A simple diagram (a pill organiser), as a PNG."""
    picture = Pillow.new("RGB", (width, height), "#f3f6f9")
    draw = ImageDraw.Draw(picture)
    for day in range(7 if width >= 400 else 0):
        left = 80 + day * (width - 160) // 7
        draw.rounded_rectangle((left + 10, 300, left + (width - 160) // 7 - 10, 800), 30, fill="#1f5f8b")
        draw.ellipse((left + 60, 480, left + 140, 560), fill="#ffffff")
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def article(*blocks: dict[str, Any], slug: str = "pictured") -> model.Article:
    body = [{"type": "paragraph", "text": "Keep a week of doses in a pill organiser."}, *blocks]
    item = {
        "type": "article",
        "slug": slug,
        "title": "Your medicines",
        "summary": "How to keep them.",
        "body": body,
    }
    return msgspec.convert(item, model.Article)


def image(**fields: Any) -> dict[str, Any]:
    return {"type": "image", "media": HASH, "width": 1600, "height": 1000, "format": "png"} | fields


def bundle(item: model.Article) -> Bundle:
    info = model.VersionInfo(
        version=3,
        published_at=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC),
        author="library",
        note="",
        content_hash="sha256:test",
        review=model.UNREVIEWED,
    )
    brand = load_library().brand
    return make_bundle(render.published(item, info, brand, TODAY, public_url=PUBLIC + "/"), [], brand)


# --- Markdown and rules ------------------------------------------------------------------------


def test_the_markdown_form_parses_and_writes_back_unchanged() -> None:
    source = (
        f':::image {HASH} "A pill organiser, one box a day" "Photo: Riverside Clinic" focal=0.5,0.25\n'
        "Fill it *once a week*.\n:::\n\n"
        f":::image {OTHER} decorative\n:::\n\n"
        f':::image {HASH} "Just alt"\n:::\n\n'
        f':::image {HASH} "A \\"quoted\\" back\\\\slash"\n:::'
    )
    body = parse_article_body(source)
    first, second, third, fourth = body
    assert (
        isinstance(first, model.Image) and isinstance(second, model.Image) and isinstance(third, model.Image)
    )
    assert (first.alt, first.credit, first.caption) == (
        "A pill organiser, one box a day",
        "Photo: Riverside Clinic",
        "Fill it *once a week*.",
    )
    assert first.focal == model.Focal(x=0.5, y=0.25) and not first.decorative
    assert second.decorative and second.alt == "" and second.caption is None
    assert (third.alt, third.credit, third.focal) == ("Just alt", None, None)
    assert isinstance(fourth, model.Image) and fourth.alt == 'A "quoted" back\\slash'
    assert to_markdown(body) == source + "\n"
    assert parse_article_body(to_markdown(body)) == body


def test_an_image_without_alt_and_not_decorative_is_refused_naming_its_alt() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_item(article(image(alt="   ")))
    assert refused.value.field == "$.body[1].alt"
    assert "decorative" in refused.value.detail
    with pytest.raises(InvalidInput) as refused:
        check_item(article(image()))  # alt left out
    assert refused.value.field == "$.body[1].alt"


def test_a_decorative_image_has_no_alt_text() -> None:
    assert check_item(article(image(decorative=True)))  # decorative, explicitly: accepted
    with pytest.raises(InvalidInput) as refused:
        check_item(article(image(decorative=True, alt="A pill organiser")))
    assert refused.value.field == "$.body[1].alt" and "decorative" in refused.value.detail


def test_fields_are_checked_by_type() -> None:
    for bad in ({"media": "../etc/passwd"}, {"focal": {"x": 1.5, "y": 0}}, {"alt": "two\nlines"}):
        with pytest.raises(msgspec.ValidationError):
            article(image(**({"alt": "x"} | bad)))


def test_json_lists_the_variants_by_absolute_url_and_stored_blanks_them() -> None:
    item = article(image(alt="A pill organiser", caption="Fill it *weekly*."))
    shown = bundle(item).item.body[1]
    assert isinstance(shown, model.Image)
    assert shown.caption_html == "Fill it <em>weekly</em>."
    urls = {v.url for v in shown.variants}
    assert f"{PUBLIC}/media/{HASH}/640.webp" in urls and f"{PUBLIC}/media/{HASH}/640.png" in urls
    assert all(v.height == round(v.width * 1000 / 1600) for v in shown.variants)
    assert {v.format for v in shown.variants} == {"webp", "png"}
    encoded = msgspec.json.decode(msgspec.json.encode(shown))
    assert encoded["variants"][0].keys() == {"url", "width", "height", "format"}
    assert (encoded["width"], encoded["height"]) == (1600, 1000)
    assert shown.stored() == item.body[1]


@pytest.mark.parametrize(
    ("fmt", "width", "height"), [("png", 1600, 1000), ("jpeg", 500, 333), ("webp", 90, 3000)]
)
def test_the_variants_are_the_ones_the_media_library_serves(fmt: str, width: int, height: int) -> None:
    block = model.Image(media=HASH, alt="x", width=width, height=height, format=fmt)  # type: ignore[arg-type]
    served = [msgspec.to_builtins(v) for v in media.variants(HASH, fmt, width, height)]
    assert [msgspec.to_builtins(v) for v in block.sizes(lambda url: url)] == served
    assert media.WIDTHS == blocks.MEDIA_WIDTHS


def test_the_bundle_hash_covers_the_picture() -> None:
    one = bundle(article(image(alt="A pill organiser")))
    other = bundle(article(image(alt="A pill organiser", media=OTHER)))
    assert one.etag != other.etag


# --- channels ------------------------------------------------------------------------------------


def test_the_page_has_a_figure_with_srcset_sizes_and_alt() -> None:
    page = render_page(
        [bundle(article(image(alt="A pill organiser", caption="Fill it weekly.", credit="Photo: Clinic")))],
        PageOptions(PUBLIC, 3),
    ).decode()
    figure = re.search(r"<figure class=\"figure\">.*?</figure>", page, re.S)
    assert figure is not None
    img = re.search(r"<img [^>]*>", figure[0])
    assert img is not None
    tag = img[0]
    assert 'alt="A pill organiser"' in tag and 'loading="lazy"' in tag
    assert 'width="1600"' in tag and 'height="1000"' in tag and "sizes=" in tag
    assert f'src="{PUBLIC}/media/{HASH}/640.png"' in tag and f"{PUBLIC}/media/{HASH}/1280.png 1280w" in tag
    assert f"{PUBLIC}/media/{HASH}/320.webp 320w" in figure[0]  # the WebP source
    assert re.search(
        r"<figcaption>Fill it weekly\. <span class=\"credit\">Photo: Clinic</span></figcaption>", figure[0]
    )
    decorative = render_page([bundle(article(image(decorative=True)))], PageOptions(PUBLIC, 3)).decode()
    assert re.search(r'<img [^>]*alt=""', decorative) and "<figcaption>" not in decorative


def test_the_email_uses_the_640_variant_by_absolute_url_and_says_image_in_text() -> None:
    email = email_parts(bundle(article(image(alt="A pill organiser"))), EmailOptions(public_url=PUBLIC))
    img = re.search(r'<img class="figure"[^>]*>', email.html)
    assert img is not None, email.html
    assert (
        f'src="{PUBLIC}/media/{HASH}/640.png"' in img[0]
        and 'alt="A pill organiser"' in img[0]
        and 'width="552"' in img[0]
        and 'height="345"' in img[0]
    )
    assert "[Image: A pill organiser]" in email.text
    plain = email_parts(bundle(article(image(decorative=True))), EmailOptions(public_url=PUBLIC))
    assert "[Image" not in plain.text and 'alt=""' in plain.html


def figures(pdf: bytes) -> list[tuple[str, str]]:
    """(role, /Alt) of every Figure in the PDF's structure tree."""
    found: list[tuple[str, str]] = []
    with pikepdf.open(io.BytesIO(pdf)) as document:

        def walk(node: Any) -> None:
            if isinstance(node, pikepdf.Array):
                for kid in node:
                    walk(kid)
                return
            if not isinstance(node, pikepdf.Dictionary):
                return
            if node.get("/S") == "/Figure":
                found.append(("Figure", str(node.get("/Alt", ""))))
            if "/K" in node:
                walk(node["/K"])

        walk(document.Root.StructTreeRoot)
    return found


def images(pdf: bytes, tmp_path: Any) -> list[list[str]]:
    """``pdfimages -list``: one row per image drawn (page, num, type, width, height...)."""
    path = tmp_path / "handout.pdf"
    path.write_bytes(pdf)
    listed = subprocess.run(["pdfimages", "-list", str(path)], check=True, capture_output=True, text=True)
    return [line.split() for line in listed.stdout.splitlines()[2:]]


def test_the_handout_embeds_the_original_as_a_figure_with_its_alt(tmp_path: Any) -> None:
    item = article(image(alt="A pill organiser with one box a day", caption="Fill it weekly."))
    options = dataclasses.replace(HandoutOptions(public_url=PUBLIC), media={HASH: diagram()})
    pdf = render_pdf([bundle(item)], options)
    assert ("Figure", "A pill organiser with one box a day") in figures(pdf)
    rows = images(pdf, tmp_path)
    assert any(row[3:5] == ["1600", "1000"] for row in rows), rows  # print resolution: the original
    decorative = render_pdf([bundle(article(image(decorative=True)))], options)
    assert all(alt for _, alt in figures(decorative))  # an artifact: no Figure without /Alt
    assert any(row[3:5] == ["1600", "1000"] for row in images(decorative, tmp_path))


def test_the_fetcher_answers_only_the_pictures_the_job_carries() -> None:
    fetcher = SafeFetcher({HASH: diagram(20, 10)})
    assert fetcher.fetch(f"folio-media:{HASH}").content_type == "image/png"
    for refused in (f"folio-media:{OTHER}", "folio-media:../../etc/passwd"):
        with pytest.raises(RefusedURL):
            fetcher.fetch(refused)
    with pytest.raises(RefusedURL):  # bytes that are no image are never handed to WeasyPrint
        SafeFetcher({HASH: b"<html>"}).fetch(f"folio-media:{HASH}")
