"""Handout PDFs, read back with pypdf the way a person (or a screen reader) would see them."""

import dataclasses
import io
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import msgspec
import pypdf
import pytest
from fontTools.ttLib import TTFont

from content import model
from content.bundle import Bundle, make_bundle
from exporters.pdf import HandoutOptions, handout_html, html_to_pdf, render_pdf
from exporters.pdf.fetcher import ASSETS, SafeFetcher
from tests.exporters.conftest import TODAY, published

OPTIONS = HandoutOptions(printed_on=TODAY)
ARTICLE = "is-ketamine-therapy-addictive"


def read(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in read(pdf).pages)


@pytest.fixture(scope="module")
def article_pdf(bundles: dict[str, Bundle]) -> bytes:
    return render_pdf([bundles[ARTICLE]], OPTIONS)


def test_article_handout_text(article_pdf: bytes, library_items: dict[str, model.Published]) -> None:
    text = text_of(article_pdf)
    article = library_items[ARTICLE]
    assert article.title in text
    for block in article.body:  # type: ignore[union-attr]
        if isinstance(block, model.Heading):
            assert block.text in text
    for row in library_items["medical-vs-recreational-ketamine"].rows:  # type: ignore[union-attr]
        assert row.factor in text
    for entry in library_items["ketamine-addiction-faq"].items:  # type: ignore[union-attr]
        assert entry.question in text
    # The library is sample content: no review is claimed, and every page says so.
    assert "Version 3 · Sample: not reviewed by a clinician · Printed November 20, 2026" in text
    assert "Reviewed" not in text and "Clinical review team" not in text
    pages = len(read(article_pdf).pages)
    for page in page_texts(article_pdf):  # in the header and in the footer of every page
        assert page.count("Sample: not reviewed by a clinician") >= 2, page
    assert "Page 1 of " + str(pages) in text and f"Page {pages} of {pages}" in text
    assert "https://clinic.example.org/appointments" in text
    assert "not medical advice" in text  # the disclaimer
    assert "Review overdue" not in text


@pytest.mark.parametrize(
    "slug", ["ketamine-addiction-faq", "medical-vs-recreational-ketamine", "ketamine-withdrawal"]
)
def test_every_kind_renders(slug: str, bundles: dict[str, Bundle]) -> None:
    item = bundles[slug].item
    text = text_of(render_pdf([bundles[slug]], OPTIONS))
    assert item.title in text and "Page 1 of" in text
    if isinstance(item, model.FaqSet):
        assert all(e.question in text for e in item.items)
    if isinstance(item, model.Comparison):
        assert all(r.factor in text for r in item.rows)
        assert all(s in text for s in item.subjects)


def test_tagged_structure_and_metadata(article_pdf: bytes) -> None:
    reader = read(article_pdf)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en"
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Is ketamine therapy addictive?"
    assert meta.author == "Riverside Wellness Clinic"
    assert meta.subject and meta.subject.startswith("When a clinic gives ketamine")
    assert meta["/Keywords"] == "addiction, ketamine, safety"
    assert meta.creation_date is not None and meta.modification_date is not None
    xmp = root["/Metadata"].get_object().get_data()
    assert b"pdfuaid" in xmp  # declares PDF/UA-1
    structure = repr(root["/StructTreeRoot"].get_object())
    roles = set(re.findall(r"/(H1|H2|H3|Table|TH|TD|L|LI|Figure|P)\b", _walk_roles(root["/StructTreeRoot"])))
    assert {"H1", "H2", "Table", "TH", "TD", "L", "LI", "Figure", "P"} <= roles, (roles, structure[:200])
    titles = [o.title for o in reader.outline if not isinstance(o, list)]
    assert titles == ["Is ketamine therapy addictive?"]
    assert "Two kinds of dependence" in [o.title for o in reader.outline[1]]


def _walk_roles(node: Any, depth: int = 0) -> str:
    node = node.get_object()
    out = [str(node.get("/S", ""))]
    kids = node.get("/K", [])
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if isinstance(kid, dict) and depth < 40:
            out.append(_walk_roles(kid, depth + 1))
    return " ".join(out)


def test_figures_have_alt_text(article_pdf: bytes) -> None:
    root = read(article_pdf).trailer["/Root"]
    figures: list[Any] = []

    def collect(node: Any, depth: int = 0) -> None:
        node = node.get_object()
        if node.get("/S") == "/Figure":
            figures.append(node)
        kids = node.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict) and depth < 40:
                collect(kid, depth + 1)

    collect(root["/StructTreeRoot"])
    assert figures and all(str(f.get("/Alt", "")).strip() for f in figures)
    alts = [str(f["/Alt"]) for f in figures]
    assert any("QR code" in a for a in alts) and "No icon" in alts and "Important icon" in alts


def _size(pdf: bytes) -> tuple[int, int]:
    box = read(pdf).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def test_letter_and_a4(bundles: dict[str, Bundle]) -> None:
    item = [bundles["ketamine-withdrawal"]]
    assert _size(render_pdf(item, dataclasses.replace(OPTIONS, paper="a4"))) == (595, 842)
    assert _size(render_pdf(item, dataclasses.replace(OPTIONS, paper="letter"))) == (612, 792)


def test_a_us_clinic_defaults_to_letter_and_us_dates_a_british_one_to_a4(bundles: dict[str, Bundle]) -> None:
    """No paper asked for: the clinic's country decides, and its dates follow the same country."""
    us = bundles["ketamine-withdrawal"]
    assert us.brand.country == "US"
    pdf = render_pdf([us], OPTIONS)
    assert _size(pdf) == (612, 792)
    assert "Printed November 20, 2026" in text_of(pdf)
    brand = msgspec.structs.replace(us.brand, country="GB")
    gb = make_bundle(us.item, list(us.embeds.values()), brand)
    pdf = render_pdf([gb], OPTIONS)
    assert _size(pdf) == (595, 842)
    assert "Printed 20 November 2026" in text_of(pdf)


def test_large_print_is_at_least_14pt_and_longer(article_pdf: bytes, bundles: dict[str, Bundle]) -> None:
    large = render_pdf([bundles[ARTICLE]], dataclasses.replace(OPTIONS, size="large"))
    assert len(read(large).pages) > len(read(article_pdf).pages)
    sizes: list[float] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if "dissociative effects" in text:
            sizes.append(size * abs(tm[0]) * abs(cm[0]))

    for page in read(large).pages:
        page.extract_text(visitor_text=visit)
    assert sizes and min(sizes) >= 14


def test_packet_has_contents_and_a_bookmark_per_item(bundles: dict[str, Bundle]) -> None:
    entries = [bundles[s] for s in (ARTICLE, "ketamine-withdrawal", "ketamine-addiction-faq")]
    reader = read(reader_bytes := render_pdf(entries, OPTIONS))
    text = text_of(reader_bytes)
    titles = [e.item.title for e in entries]
    assert "Patient information packet" in text and "This packet holds 3 handouts" in text
    top = [o.title for o in reader.outline if not isinstance(o, list)]
    assert top == ["Patient information packet", *titles]
    assert all(t in text for t in titles)
    assert f"Page 1 of {len(read(reader_bytes).pages)}" in text


def test_a_signed_off_handout_names_its_reviewer_and_carries_no_mark(
    signed_bundles: dict[str, Bundle],
) -> None:
    text = text_of(render_pdf([signed_bundles["ketamine-withdrawal"]], OPTIONS))
    assert "Version 3 · Reviewed November 2, 2026 by Ana Rivera, MD · Printed November 20, 2026" in text
    assert "not reviewed" not in text and "Sample: not" not in text  # the clinic-contact sample box stays


def test_overdue_review_is_printed(signed_bundles: dict[str, Bundle]) -> None:
    item = signed_bundles["ketamine-withdrawal"]
    assert item.item.review.next_review_on is not None
    late = dataclasses.replace(OPTIONS, printed_on=item.item.review.next_review_on.replace(year=2028))
    text = text_of(render_pdf([item], late))
    assert "Review overdue." in text and "due for review on November 2, 2027" in text


def test_only_packaged_fonts_and_every_glyph_present(article_pdf: bytes, bundles: dict[str, Bundle]) -> None:
    reader = read(article_pdf)
    fonts = {str(f["/BaseFont"]) for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    # Named after our @font-face family: a system font would carry its own name.
    assert fonts and all(f.split("+")[-1].startswith("Folio-Sans") for f in fonts), fonts
    html = " ".join(handout_html([bundle], OPTIONS) for bundle in bundles.values())
    text = re.sub(r"<[^>]+>", " ", html)
    needed = {ch for ch in text if not ch.isspace()} | set("✓…·—’")
    for face in ASSETS.glob("fonts/*.ttf"):
        cmap = TTFont(face).getBestCmap()
        assert [ch for ch in needed if ord(ch) not in cmap] == [], face.name


def test_content_html_is_sanitized_before_the_template(
    library_items: dict[str, model.Published], brand: model.Brand
) -> None:
    import msgspec

    from content.library import load_library

    article = next(i for i in load_library().items if i.slug == "ketamine-withdrawal")
    hostile = msgspec.structs.replace(
        article, body=[model.Paragraph(text='<img src="file:///etc/passwd"> [x](javascript:alert(1))')]
    )
    html = handout_html([make_bundle(published(hostile), [], brand)], OPTIONS)
    assert '<img src="file' not in html and "&lt;img" in html
    assert 'href="javascript' not in html


# --- the URL fetcher --------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.hits: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                recorder.hits.append(self.path)
                self.send_response(302)
                self.send_header("Location", "file:///etc/hostname")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    server = Recorder()
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_hostile_html_fetches_nothing(recorder: Recorder, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4711")
    escape = ASSETS / "fonts" / ".." / ".." / ".." / ".." / "api" / "settings.py"  # a path that climbs out
    base, file = recorder.base, secret.as_uri()
    html = f"""<!DOCTYPE html><html lang="en"><head><title>x</title>
    <base href="{base}/base/">
    <link rel="stylesheet" href="{base}/sheet.css">
    <link rel="attachment" href="{file}">
    <style>
      @import url("{base}/import.css");
      @import url("{file}");
      @font-face {{ font-family: Evil; src: url("{base}/font.ttf"); }}
      @font-face {{ font-family: Evil2; src: url("{file}"); }}
      body {{ background: url("{base}/bg.png"); font-family: Evil, Evil2; }}
      p {{ background-image: url("data:text/html,<b>x</b>"); }}
    </style></head><body>
    <p>Hello</p>
    <img src="{file}" alt="a"><img src="{base}/img.png" alt="b"><img src="relative.png" alt="c">
    <img src="{escape.as_uri()}" alt="d">
    <a rel="attachment" href="{file}">attached</a><a rel="attachment" href="{base}/attach.bin">attached 2</a>
    <object data="{base}/object.pdf"></object><object data="{file}"></object>
    <embed src="{base}/embed.svg"><iframe src="{base}/frame.html"></iframe>
    <svg width="10" height="10"><image href="{base}/svg.png" width="10" height="10"/>
    <image href="{file}" width="10" height="10"/></svg>
    </body></html>"""
    fetcher = SafeFetcher()
    pdf = html_to_pdf(html, fetcher)
    reader = read(pdf)
    assert recorder.hits == []
    assert reader.attachments == {}
    assert b"TOP-SECRET-4711" not in pdf and "TOP-SECRET-4711" not in text_of(pdf)
    assert "Hello" in text_of(pdf)
    refused = " ".join(fetcher.refused)
    for needle in (
        "/sheet.css",
        "/import.css",
        "/font.ttf",
        "/bg.png",
        "/img.png",
        "secret.txt",
        "/attach.bin",
        "/object.pdf",
        "/svg.png",
        "settings.py",
        "data:text/html",
    ):
        assert needle in refused, needle


def test_packaged_assets_are_served(tmp_path: Path) -> None:
    fetcher = SafeFetcher()
    response = fetcher.fetch((ASSETS / "fonts" / "DejaVuSans.ttf").as_uri())
    assert response.read()[:4] == b"\x00\x01\x00\x00"
    with pytest.raises(ValueError, match="refused"):
        fetcher.fetch((tmp_path / "x.ttf").as_uri())


# --- handouts without waste ---------------------------------------------------------------------

CLOSING = "Scan the code to read version"


def page_texts(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in read(pdf).pages]


def last_words(item: model.Published) -> str:
    """Text of the item's last content block: it must share a page with the contact box."""
    match item:
        case model.Article(body=body):
            block = body[-1]
            return block.label if isinstance(block, model.Cta) else " ".join(block.text.split()[:4])  # type: ignore[union-attr]
        case model.FaqSet(items=entries):
            return entries[-1].question
        case model.Comparison(rows=rows, footnote=footnote):
            return " ".join(footnote.split()[:4]) if footnote else rows[-1].factor
    raise AssertionError(item)


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("size", ["standard", "large"])
def test_the_contact_box_never_stands_alone_on_the_last_page(
    bundles: dict[str, Bundle], paper: str, size: str
) -> None:
    options = dataclasses.replace(OPTIONS, paper=paper, size=size)  # type: ignore[arg-type]
    for slug, bundle in bundles.items():
        pages = page_texts(render_pdf([bundle], options))
        [closing] = [n for n, text in enumerate(pages) if CLOSING in text]
        assert closing == len(pages) - 1, (slug, "the closing box is on the last page")
        assert "My notes" in pages[closing], (slug, paper, size, pages[closing][:200])
        # The item's own words come before what the patient can do, on a page with the questions.
        [ask] = [n for n, text in enumerate(pages) if "Questions to ask your care team" in text]
        assert any(last_words(bundle.item) in pages[n] for n in range(ask + 1)), (slug, paper, size)


def test_large_print_enlarges_header_and_footer_too(bundles: dict[str, Bundle]) -> None:
    def footer_size(size: str) -> float:
        found: list[float] = []

        def visit(text: str, cm: list[float], tm: list[float], _font: object, font_size: float) -> None:
            if text.startswith("Page 1 of"):
                found.append(font_size * tm[0] * cm[0])

        pdf = render_pdf([bundles["ketamine-withdrawal"]], dataclasses.replace(OPTIONS, size=size))  # type: ignore[arg-type]
        read(pdf).pages[0].extract_text(visitor_text=visit)
        return found[0]

    assert footer_size("large") >= 1.3 * footer_size("standard")


def test_a_packet_prints_an_embedded_item_once(bundles: dict[str, Bundle]) -> None:
    faq = bundles["ketamine-addiction-faq"]
    packet = render_pdf([bundles[ARTICLE], faq], OPTIONS)
    text = text_of(packet)
    question = faq.item.items[0].question  # type: ignore[union-attr]
    answer = " ".join(faq.item.items[0].answer.split()[:6])  # type: ignore[union-attr]
    assert text.count(f"{question} {answer}") == 1  # besides, it is a question to ask the care team
    found = re.search(
        f"“{re.escape(faq.item.title)}” \\(version 3\\) is printed in full in this packet, on page (\\d+)\\.",
        text,
    )
    assert found, text
    # The page it names is where the FAQ's own handout begins.
    assert page_texts(packet)[int(found.group(1)) - 1].startswith(
        "Riverside Wellness Clinic · +1 555 010 0199 Sample: not reviewed by a clinician. No clinician "
        f"has signed this text off yet. Ask your care team before you act on it. {faq.item.title}"
    )
    # Alone, the article prints the FAQ in full, with the FAQ's own version.
    alone = text_of(render_pdf([bundles[ARTICLE]], OPTIONS))
    assert alone.count(f"{question} {answer}") == 1 and f"From “{faq.item.title}”, version 3" in alone
