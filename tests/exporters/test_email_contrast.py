"""Every text the email draws keeps WCAG AA contrast (4.5:1), in light and in forced dark mode.

Each email is rendered in Debian's Chromium (through Playwright, never a downloaded browser):
once as it is, once with Chromium's forced dark mode. For every visible text node the test
takes the computed colour of its element and the effective background behind it (the nearest
opaque background, with any translucent ones composited over it), and measures the contrast.
A screenshot then confirms Chromium drew those colours: no automatic darkening repainted them.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from typing import Any

import pytest

from content.bundle import Bundle
from exporters.email.colours import AA
from exporters.email.render import ESPS, DigestOptions, EmailOptions, digest_parts, email_parts
from tests.chromium import CHROMIUM, FLAGS

# Chromium's forced dark mode: dark preferred colour scheme, and auto-darkening of pages that
# do not offer a dark scheme of their own.
FORCE_DARK = ["--force-dark-mode", "--enable-features=WebContentsForceDark"]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="needs Debian's chromium"
)

# For each visible text node: its text, its element's colour and the background it sits on.
TEXTS = """() => {
  const rgba = (c) => {
    const m = c.match(/rgba?\\(([^)]*)\\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, base) => [0, 1, 2].map((i) => top[i] * top[3] + base[i] * (1 - top[3]));
  const dark = matchMedia('(prefers-color-scheme: dark)').matches;
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let base = dark ? [18, 18, 18] : [255, 255, 255];  // the canvas, if nothing is opaque
    for (const layer of layers.reverse()) base = over(layer, base);
    return base;
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el) continue;
    const style = getComputedStyle(el);
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.width < 1 || box.height < 1 || style.visibility !== 'visible' || style.opacity === '0') continue;
    const bg = background(el);
    out.push({
      text: text.slice(0, 60),
      tag: el.tagName.toLowerCase(),
      colour: over(rgba(style.color), bg),
      background: bg,
      box: [box.left + scrollX, box.top + scrollY, box.width, box.height],
    });
  }
  return {dark, texts: out};
}"""


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _documents(bundles: dict[str, Bundle]) -> Iterator[tuple[str, str]]:
    for esp in ESPS:
        for slug, bundle in bundles.items():
            yield f"{slug}/{esp}", email_parts(bundle, EmailOptions(esp=esp)).html
        options = DigestOptions(esp=esp, subject="Your November reading", intro="Four short reads.")
        yield f"digest/{esp}", digest_parts(list(bundles.values()), options).html


@contextlib.contextmanager
def chromium() -> Iterator[dict[str, Any]]:
    """Debian's Chromium, launched twice: as it is ("light") and with forced dark mode."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        launched = {
            mode: p.chromium.launch(executable_path=CHROMIUM, args=FLAGS + extra)
            for mode, extra in (("light", []), ("dark", FORCE_DARK))
        }
        try:
            yield launched
        finally:
            for browser in launched.values():
                browser.close()


@pytest.fixture(scope="module")
def browsers() -> Iterator[dict[str, Any]]:
    with chromium() as launched:
        yield launched


def _measure(browser: Any, html: str) -> tuple[dict[str, Any], bytes]:
    # "no-override": let the browser's own (forced) scheme through instead of Playwright's light.
    page = browser.new_page(viewport={"width": 640, "height": 900}, color_scheme="no-override")
    try:
        page.set_content(html)
        return page.evaluate(TEXTS), page.screenshot(full_page=True)
    finally:
        page.close()


def _drawn(shot: Any, box: list[float]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The background and the text colour Chromium painted in a text's box.

    The background is the commonest colour; the text colour is the pixel that differs most
    from it in luminance (glyph stems are painted in the full text colour).
    """
    x, y, w, h = (round(v) for v in box)
    crop = shot.crop((x, y, x + max(w, 1), y + max(h, 1))).convert("RGB")
    colours = crop.getcolors(crop.width * crop.height) or []
    background = max(colours)[1]
    ink = max((c for _, c in colours), key=lambda c: abs(_luminance(c) - _luminance(background)))
    return background, ink


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_every_text_keeps_aa_contrast(
    browsers: dict[str, Any], bundles: dict[str, Bundle], mode: str
) -> None:
    image = pytest.importorskip("PIL.Image")
    lowest: dict[str, float] = {}
    failures = []
    for name, html in _documents(bundles):
        measured, png = _measure(browsers[mode], html)
        assert measured["dark"] is (mode == "dark")
        assert measured["texts"], name
        shot = image.open(io.BytesIO(png))
        for text in measured["texts"]:
            ratio = contrast(text["colour"], text["background"])
            lowest[name] = min(lowest.get(name, 99.0), ratio)
            if ratio < AA:
                failures.append(f"{name}: {ratio:.2f}:1 <{text['tag']}> {text['text']!r}")
            # What Chromium painted: the background is the one computed (no auto-darkening),
            # and the glyphs reach AA contrast against it.
            background, ink = _drawn(shot, text["box"])
            expected = tuple(round(c) for c in text["background"])
            assert max(abs(a - b) for a, b in zip(background, expected, strict=True)) <= 3, (
                f"{name}: {text['text']!r} drawn on {background}, computed {expected}"
            )
            if contrast(ink, background) < AA:
                failures.append(f"{name}: drawn {contrast(ink, background):.2f}:1 {text['text']!r}")
    assert not failures, "\n".join(failures)
    print(f"{mode}: lowest contrast {min(lowest.values()):.2f}:1")
