"""Every bundled handout, in every locale, paper and size, read back from the PDF's text layout.

A patient should never meet a hyphenated word or URL, a page holding only the contact box or a
single table row, a table page without its header, or (in large print) a line smaller than the
large body size or fainter than 4.5:1. ``pdftotext`` (poppler) gives the lines as printed;
pypdf gives each run's size and colour.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from functools import cache
from typing import Any

import pypdf
import pytest

from content import model
from content.bundle import Bundle
from exporters import i18n
from exporters.pdf import HandoutOptions, render_pdf
from tests.exporters.conftest import TODAY, library_bundles

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")

PUBLIC = "https://clinic.example.org/library"
LARGE_BODY_PT = 15.0
# The darkest tint text sits on (summary, callouts, table header): contrast is checked against it.
DARKEST_TINT = "#e9f2f8"
SLUGS = [
    "is-ketamine-therapy-addictive",
    "ketamine-withdrawal",
    "ketamine-addiction-faq",
    "medical-vs-recreational-ketamine",
]
CASES = [
    (slug, locale, paper, size)
    for slug in SLUGS
    for locale in ("en", "es")
    for paper in ("a4", "letter")
    for size in ("standard", "large")
]


@cache
def _bundles(locale: str) -> dict[str, Bundle]:
    return library_bundles(locale=locale)


@cache
def _pdf(slug: str, locale: str, paper: str, size: str) -> bytes:
    options = HandoutOptions(paper=paper, size=size, public_url=PUBLIC, printed_on=TODAY)  # type: ignore[arg-type]
    return render_pdf([_bundles(locale)[slug]], options)


def _pages(pdf: bytes, *, layout: bool) -> list[str]:
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), "-", "-"]
    out = subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode()
    return out.split("\f")[: len(pypdf.PdfReader(io.BytesIO(pdf)).pages)]


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: tuple[float, float, float], bg: tuple[float, float, float]) -> float:
    light, dark = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _hex(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def _runs(pdf: bytes) -> list[tuple[str, float, tuple[float, float, float]]]:
    """Every visible text run: its text, size in points and fill colour."""
    runs: list[tuple[str, float, tuple[float, float, float]]] = []
    fill: list[tuple[float, ...]] = [(0.0, 0.0, 0.0)]

    def before(op: bytes, args: Any, _cm: Any, _tm: Any) -> None:
        if op == b"rg":
            fill[0] = tuple(float(a) for a in args)
        elif op == b"g":
            fill[0] = (float(args[0]),) * 3

    def text(value: str, cm: Any, tm: Any, _font: Any, size: float) -> None:
        if value.strip():
            runs.append((value, size * abs(tm[0]) * abs(cm[0]), fill[0]))  # type: ignore[arg-type]

    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        fill[0] = (0.0, 0.0, 0.0)
        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return runs


def _url_breaks(text: str, url: str) -> list[str]:
    """Where ``url`` is broken across lines in ``text``: the character before each break."""
    pattern = r"\n?\s*".join(re.escape(ch) for ch in url)
    found = re.search(pattern, text)
    assert found, f"{url} is not printed"
    return [found[0][m.start() - 1] for m in re.finditer(r"\n", found[0])]


@pytest.mark.parametrize(("slug", "locale", "paper", "size"), CASES)
def test_handout_reads_well(slug: str, locale: str, paper: str, size: str) -> None:
    pdf = _pdf(slug, locale, paper, size)
    bundle = _bundles(locale)[slug]
    labels = i18n.labels(locale)
    flowing, laid_out = _pages(pdf, layout=False), _pages(pdf, layout=True)
    where = (slug, locale, paper, size)

    # No word or URL hyphenated across lines: no line ends in a letter and a hyphen.
    for text in (*flowing, *laid_out):
        broken = re.findall(r"\w+-(?=[ \t]{2,}|[ \t]*$)", text, re.MULTILINE)
        assert broken == [], (where, broken)
    # URLs break only after / . or ?
    everything = "\n".join(flowing)
    for url in (bundle.brand.appointment_url, f"{PUBLIC}/{model.PLURALS[bundle.item.kind]}/{slug}"):
        assert set(_url_breaks(everything, url)) <= set("/.?"), (where, url)

    # The contact box shares its page with the appointment box; the closing QR box with the notes.
    for n, text in enumerate(flowing):
        if labels["contact_title"] in text:
            assert labels["next_appointment"] in text, (where, n, text[-300:])
        if labels["scan"].split("{")[0].strip() in text:
            assert labels["notes"] in text, (where, n, text[:300])
    assert labels["ask_title"] in everything and labels["when_to_call"] in everything

    # A comparison never leaves one row alone on a page, and its header repeats on every page.
    tables = [bundle.item] if isinstance(bundle.item, model.Comparison) else list(bundle.embeds.values())
    for table in (t for t in tables if isinstance(t, model.Comparison)):
        header = re.compile(rf"^\s*{re.escape(labels['factor'])}\s{{2,}}", re.MULTILINE)
        for n, text in enumerate(laid_out):
            rows = [
                row.factor
                for row in table.rows
                if re.search(
                    rf"^\s*{re.escape(row.factor.split()[0])}(\s{{2,}}|\s\S+\s{{2,}})", text, re.MULTILINE
                )
            ]
            if rows:
                assert header.search(text), (where, n, "table page without its header")
                assert len(rows) >= min(2, len(table.rows)), (where, n, rows)

    if size == "large":
        runs = _runs(pdf)
        small = sorted({(round(pt, 1), value) for value, pt, _ in runs if pt < LARGE_BODY_PT - 0.1})
        assert small == [], (where, small[:5])
        faint = sorted({value for value, _, fill in runs if contrast(fill, _hex(DARKEST_TINT)) < 4.5})
        assert faint == [], (where, faint[:5])


def test_a_clinic_that_fills_in_its_hours_loses_the_sample_mark() -> None:
    import msgspec

    from content.bundle import make_bundle

    bundle = _bundles("en")["ketamine-withdrawal"]
    options = HandoutOptions(paper="letter", public_url=PUBLIC, printed_on=TODAY)
    sample = " ".join("".join(_pages(render_pdf([bundle], options), layout=False)).split())
    assert "Sample text: the clinic has not filled this in yet." in sample
    brand = msgspec.structs.replace(
        bundle.brand,
        hours="Mon-Fri 8 to 6",
        when_to_call="Call us before your next visit if anything changes.",
    )
    filled = make_bundle(bundle.item, list(bundle.embeds.values()), brand)
    text = " ".join("".join(_pages(render_pdf([filled], options), layout=False)).split())
    assert "Sample text" not in text
    assert "Hours: Mon-Fri 8 to 6" in text and "When to call us: Call us before your next visit" in text
    # Questions: the catalog's general ones for an item without FAQ entries of its own.
    assert "Is this treatment right for me?" in text and "My next appointment" in text
