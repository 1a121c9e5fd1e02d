"""An email linter: what mail clients and screen readers need of an email's HTML.

``lint(html)`` returns the problems it finds (an empty list when there are none):

- size: under 102 KB, where Gmail clips a message;
- ``lang`` and ``dir`` on the root element; alt text on every image;
- tables: a layout table says ``role="presentation"``, a data table (one with header cells)
  does not, so screen readers still read it as a table;
- links: every link has text that makes sense on its own (not "read more"), one text never
  leads to two places, and every ``href`` is absolute (or an email service's unsubscribe tag);
- CSS: no property, value or at-rule that Gmail or Outlook drop, judged against the Can I
  Email data (``data/caniemail/``). A feature counts as dropped when the newest test of any
  Gmail or Outlook platform says "not supported". The only exceptions are the enhancements
  in the kept ``<style>`` block (media queries, dark mode), listed in ``ENHANCEMENTS`` with
  why dropping them is harmless.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

MAX_BYTES = 102 * 1024
DATA = Path(__file__).parent / "data" / "caniemail" / "css-gmail-outlook.json"
FAMILIES = ("gmail", "outlook")
# Merge tags an email service replaces with the reader's own unsubscribe link.
UNSUBSCRIBE_TAGS = frozenset({"*|UNSUB|*", "{{{unsubscribe}}}", "{{{ pm:unsubscribe }}}"})
ABSOLUTE = ("https://", "http://", "mailto:", "tel:")
VAGUE = frozenset(
    {"click here", "here", "read more", "more", "learn more", "link", "this", "read it", "read it online"}
)
_WORD = re.compile(r"\w")

KEPT_STYLE = "a rule in the kept <style> block"
WHY = (
    "an enhancement in the kept <style> block; a client that drops the block keeps the inlined "
    "light design, which meets AA contrast on its own (test_email_contrast.py)"
)
# Features allowed only inside the kept <style> block, and why losing them is harmless.
ENHANCEMENTS = {
    "css-at-media": "narrow-screen padding and dark mode: " + WHY,
    "css-at-media-prefers-color-scheme": "dark mode: " + WHY,
    "css-important": "dark-mode rules must beat inline styles: " + WHY,
    "css-selector-class": WHY,
    "css-selector-type": WHY,
    "css-selector-descendant": WHY,
    "css-selector-grouping": WHY,
}
# Properties that share a Can I Email entry with their shorthand.
PREFIXES = {
    "border-": "css-border",
    "padding-": "css-padding",
    "margin-": "css-margin",
    "list-style-": "css-list-style",
    "text-decoration-": "css-text-decoration",
}
UNITS = {"px": "px", "em": "em", "rem": "rem", "%": "percent", "vh": "vh", "vw": "vw", "pt": "pt", "ch": "ch"}


@cache
def caniemail() -> dict[str, dict[str, object]]:
    return {feature["slug"]: feature for feature in json.loads(DATA.read_text(encoding="utf-8"))["data"]}


def dropped_by(slug: str) -> list[str]:
    """Gmail and Outlook platforms whose newest test says the feature is not supported."""
    stats = caniemail()[slug]["stats"]
    assert isinstance(stats, dict)
    out = []
    for family in FAMILIES:
        for platform, results in stats.get(family, {}).items():
            newest = list(results.values())[-1]
            if newest.split()[0] == "n":
                out.append(f"{family}.{platform}")
    return out


def features(prop: str, value: str) -> set[str]:
    """The Can I Email features one declaration uses (vendor properties are for their vendor)."""
    prop, value = prop.strip().lower(), value.strip().lower()
    if prop.startswith(("mso-", "-webkit-", "-ms-", "-moz-")):
        return set()
    data = caniemail()
    found = set()
    if f"css-{prop}" in data:
        found.add(f"css-{prop}")
    else:
        found |= {slug for prefix, slug in PREFIXES.items() if prop.startswith(prefix)}
    if prop == "display" and value.startswith("none"):
        found.add("css-display-none")
    if "!important" in value:
        found.add("css-important")
    for function, slug in (("rgb(", "css-rgb"), ("rgba(", "css-rgba"), ("var(", "css-variables")):
        if function in value:
            found.add(slug)
    if "calc(" in value:
        found.add("css-unit-calc")
    for unit in re.findall(r"\d(px|rem|em|%|vh|vw|pt|ch)\b|\d(%)", value):
        name = UNITS[unit[0] or unit[1]]
        found.add(f"css-unit-{name}")
    return {slug for slug in found if slug in data}


def declarations(css: str) -> list[tuple[str, str]]:
    out = []
    for part in css.split(";"):
        if ":" in part:
            prop, _, value = part.partition(":")
            out.append((prop, value))
    return out


def _blocks(css: str) -> list[tuple[str, str]]:
    """(prelude, body) of each top-level ``prelude { body }``, braces balanced."""
    out, depth, start, prelude = [], 0, 0, ""
    for i, ch in enumerate(css):
        if ch == "{":
            if depth == 0:
                prelude, start = css[start:i].strip(), i + 1
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                out.append((prelude, css[start:i]))
                start = i + 1
    return out


def style_block_features(css: str) -> set[str]:
    """Features a <style> block uses: at-rules, selectors and the declarations inside."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found: set[str] = set()

    def rules(text: str) -> None:
        for prelude, body in _blocks(text):
            if prelude.startswith("@media"):
                found.add("css-at-media")
                if "prefers-color-scheme" in prelude:
                    found.add("css-at-media-prefers-color-scheme")
                rules(body)
            elif prelude.startswith("@"):
                found.add("css-at-" + prelude[1:].split()[0])
            else:
                for selector in prelude.split(","):
                    if "," in prelude:
                        found.add("css-selector-grouping")
                    parts = selector.split()
                    if len(parts) > 1:
                        found.add("css-selector-descendant")
                    for part in parts:
                        found.add("css-selector-class" if part.startswith(".") else "css-selector-type")
                for prop, value in declarations(body):
                    found.update(features(prop, value))

    rules(css)
    return found


@dataclass
class _Link:
    href: str
    text: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: dict[str, str | None] | None = None
        self.images: list[dict[str, str | None]] = []
        self.tables: list[tuple[dict[str, str | None], bool]] = []  # attributes, has header cells
        self._open_tables: list[list[object]] = []
        self.links: list[_Link] = []
        self._link: _Link | None = None
        self.inline_css: list[str] = []
        self.style_blocks: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.root = a
        if a.get("style"):
            self.inline_css.append(a["style"] or "")
        match tag:
            case "img":
                self.images.append(a)
                if self._link is not None and a.get("alt"):
                    self._link.text.append(a["alt"] or "")
            case "table":
                self._open_tables.append([a, False])
            case "th" if self._open_tables:
                self._open_tables[-1][1] = True
            case "a" if "href" in a:
                self._link = _Link(a["href"] or "")
                if a.get("aria-label"):
                    self._link.text.append(a["aria-label"] or "")
            case "style":
                self._in_style = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._open_tables:
            attrs, header = self._open_tables.pop()
            self.tables.append((attrs, bool(header)))  # type: ignore[arg-type]
        elif tag == "a" and self._link is not None:
            self.links.append(self._link)
            self._link = None
        elif tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style_blocks.append(data)
        elif self._link is not None:
            self._link.text.append(data)


def lint(html: str) -> list[str]:
    """Every problem found, as a sentence naming what and where; [] when the email is clean."""
    problems: list[str] = []
    size = len(html.encode())
    if size >= MAX_BYTES:
        problems.append(f"size: {size} bytes, Gmail clips at {MAX_BYTES}")
    page = _Reader()
    page.feed(html)
    page.close()

    root = page.root or {}
    if not (root.get("lang") or "").strip():
        problems.append("lang: the <html> element names no language")
    if root.get("dir") not in ("ltr", "rtl"):
        problems.append(f"dir: the <html> element's dir is {root.get('dir')!r}, not ltr or rtl")

    for image in page.images:
        decorative = image.get("alt") == "" and image.get("role") == "presentation"  # WCAG H67
        if not (image.get("alt") or "").strip() and not decorative:
            problems.append(f"alt: <img src={image.get('src')!r}> has no alt text")

    for attrs, header in page.tables:
        role = attrs.get("role")
        if header and role == "presentation":
            problems.append(f"table: a data table (class {attrs.get('class')!r}) says role=presentation")
        if not header and role != "presentation":
            problems.append(f"table: a layout table (class {attrs.get('class')!r}) lacks role=presentation")

    destinations: dict[str, set[str]] = {}
    for link in page.links:
        text = " ".join(" ".join(link.text).split())
        if not _WORD.search(text):
            problems.append(f"link text: the link to {link.href} has no text")
        elif text.lower().strip(".:!… ") in VAGUE:
            problems.append(f"link text: {text!r} says nothing on its own ({link.href})")
        destinations.setdefault(text, set()).add(link.href)
        if not (link.href.startswith(ABSOLUTE) or link.href in UNSUBSCRIBE_TAGS):
            problems.append(f"href: {link.href!r} is not absolute")
    for text, hrefs in destinations.items():
        if len(hrefs) > 1:
            problems.append(f"link text: {text!r} leads to {len(hrefs)} different places")

    inline: set[str] = set()
    for css in page.inline_css:
        for prop, value in declarations(css):
            inline |= features(prop, value)
    kept: set[str] = set()
    for css in page.style_blocks:
        kept |= style_block_features(css)
    for slug in sorted(inline | kept):
        clients = dropped_by(slug)
        if not clients:
            continue
        if slug in ENHANCEMENTS and slug not in inline:
            continue
        where = "an inline style" if slug in inline else KEPT_STYLE
        problems.append(f"css: {slug} ({where}) is dropped by {', '.join(clients)}")
    return problems
