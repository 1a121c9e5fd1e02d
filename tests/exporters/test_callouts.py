"""Callouts mean one thing each, in every channel and both languages.

``yes`` and ``no`` are answers and never look like danger (no red, no cross); ``warning`` is the
danger tone; a callout's label line says its title or its tone's name, never "No: Not at ..." or
"Important: The exception: ...". Checked on the PDF's text, the parsed page and the re-parsed email.
"""

from __future__ import annotations

import base64
import email
import email.policy
import io
import re
from html.parser import HTMLParser

import pypdf
import pytest

from content import model
from content.bundle import Bundle
from exporters import i18n
from exporters.email.render import EmailOptions, item_eml
from exporters.pdf import HandoutOptions, render_pdf
from exporters.pdf.render import ICONS
from exporters.web.render import PageOptions, render_page
from tests.exporters.conftest import TODAY, library_bundles

DANGER_RED = "#b42318"
ARTICLES = ["is-ketamine-therapy-addictive", "ketamine-withdrawal"]


class Callouts(HTMLParser):
    """Each callout's tone, its label line's text and the inline style of its box."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str]] = []
        self._in_label = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        tone = next(
            (
                c.removeprefix("callout-")
                for c in classes
                if c.startswith("callout-") and c != "callout-label" and c != "callout-body"
            ),
            None,
        )
        if "callout" in classes and tone:
            self.found.append({"tone": tone, "label": "", "style": found.get("style") or ""})
        self._in_label = "callout-label" in classes

    def handle_endtag(self, tag: str) -> None:
        self._in_label = False

    def handle_data(self, data: str) -> None:
        if self._in_label and self.found:
            self.found[-1]["label"] += data


def parse(html: str) -> list[dict[str, str]]:
    parser = Callouts()
    parser.feed(html)
    return parser.found


def _callouts(bundle: Bundle) -> list[model.Callout]:
    assert isinstance(bundle.item, model.Article)
    return [block for block in bundle.item.body if isinstance(block, model.Callout)]


def _doubled(label: str, tone_names: list[str]) -> bool:
    """A label that says a tone's name and then a title ("No: Not at ...") says one thing twice."""
    return any(re.match(rf"{re.escape(name)}\s*:\s*\S", label.strip()) for name in tone_names)


@pytest.mark.parametrize("locale", ["en", "es"])
@pytest.mark.parametrize("slug", ARTICLES)
def test_one_rule_for_callouts_in_every_channel(locale: str, slug: str) -> None:
    bundle = library_bundles(locale=locale)[slug]
    names = list(i18n.callouts(locale).values())
    expected = [block.title or i18n.callouts(locale)[block.tone] for block in _callouts(bundle)]

    page = render_page([bundle], PageOptions(today=TODAY)).decode()
    message = email.message_from_bytes(item_eml([bundle], EmailOptions()), policy=email.policy.default)
    html_part = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    text_part = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    pdf = render_pdf([bundle], HandoutOptions(printed_on=TODAY))
    pdf_text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)

    for channel, html in (("page", page), ("email", html_part)):
        found = parse(html)
        assert [" ".join(c["label"].split()) for c in found] == expected, channel
        assert not [c for c in found if _doubled(c["label"], names)], channel
    for label in expected:
        assert f"[{label}]" in text_part
        assert label in pdf_text
    for name in names:
        for block in _callouts(bundle):
            if block.title:
                assert f"{name}: {block.title}" not in pdf_text and f"{name}: {block.title}" not in text_part


def test_yes_and_no_are_answers_and_only_warning_looks_like_danger() -> None:
    bundle = library_bundles()["is-ketamine-therapy-addictive"]
    page = render_page([bundle], PageOptions(today=TODAY)).decode()
    message = email.message_from_bytes(item_eml([bundle], EmailOptions()), policy=email.policy.default)
    html_part = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    # The email's boxes carry their colours inline, as mail clients need.
    boxes = {c["tone"]: c["style"].lower() for c in parse(html_part)}
    assert DANGER_RED in boxes["warning"]
    assert DANGER_RED not in boxes["no"]
    # The page and the handout share the colours by tone.
    css = re.search(r"<style>(.*?)</style>", page, re.S)[1]  # type: ignore[index]
    assert DANGER_RED in re.search(r"\.callout-warning \{[^}]*\}", css)[0]  # type: ignore[index]
    for tone in ("yes", "no"):
        assert DANGER_RED not in re.search(rf"\.callout-{tone} \{{[^}}]*\}}", css)[0]  # type: ignore[index]
        icon = base64.b64decode(ICONS[tone].split(",", 1)[1]).decode()
        assert DANGER_RED not in icon and "M6 6l8 8" not in icon  # no red, no cross
    assert DANGER_RED in base64.b64decode(ICONS["warning"].split(",", 1)[1]).decode()
