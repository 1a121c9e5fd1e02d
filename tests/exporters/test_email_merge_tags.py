"""Merge tags, rendered the way each email service documents them, with and without a name.

- Mailchimp: merge tags ``*|FNAME|*`` and conditional merge tag blocks
  (``*|IF:FNAME|* … *|ELSE:|* … *|END:IF|*``); ``merge_mailchimp`` below follows its rules.
- SendGrid: dynamic templates are Handlebars (``{{#if}} … {{else}} … {{/if}}``, triple-stash
  for unescaped links): rendered with pybars3, a Handlebars implementation.
- Postmark: Mustachio, a Mustache dialect: a section with ``{{.}}`` and an inverted section,
  as Postmark's templates FAQ shows for defaults: rendered with chevron, a Mustache renderer.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import chevron
import msgspec
import pybars
import pytest

from content.bundle import Bundle, make_bundle
from exporters.email.render import DigestOptions, EmailOptions, digest_parts, email_parts
from tests.exporters.test_email import parse

UNSUBSCRIBE = "https://lists.example.net/u/4f2a?list=7&id=99"
_TAG = re.compile(r"\*\|([A-Z0-9_]*)(?::([^|]*))?\|\*")


def merge_mailchimp(source: str, fields: dict[str, str]) -> str:
    """Mailchimp's merge: ``*|TAG|*`` values and IF / IFNOT / ELSEIF / ELSE / END:IF blocks.

    A condition on a field is true when the field has a value; an unset field merges as its
    default, empty here. Blocks nest.
    """
    out: list[str] = []
    # Each open block: [emitting?, some branch already taken?, parent emitting?]
    stack: list[list[bool]] = []
    emitting = True
    position = 0
    for match in _TAG.finditer(source):
        if emitting:
            out.append(source[position : match.start()])
        position = match.end()
        name, arg = match.group(1), match.group(2)
        if name in ("IF", "IFNOT") and arg is not None:
            truth = bool(fields.get(arg, "")) == (name == "IF")
            stack.append([emitting and truth, truth, emitting])
        elif name == "ELSEIF" and arg is not None:
            block = stack[-1]
            truth = not block[1] and bool(fields.get(arg, ""))
            block[0], block[1] = block[2] and truth, block[1] or truth
        elif name == "ELSE":
            block = stack[-1]
            block[0], block[1] = block[2] and not block[1], True
        elif name == "END":
            stack.pop()
        elif emitting:
            out.append(fields.get(name, ""))
        emitting = stack[-1][0] if stack else True
    if emitting:
        out.append(source[position:])
    assert not stack, "unclosed *|IF|* block"
    return "".join(out)


def render_sendgrid(source: str, fields: dict[str, str]) -> str:
    data: dict[str, str] = {"unsubscribe": fields["UNSUB"]}
    if fields.get("FNAME"):
        data["first_name"] = fields["FNAME"]
    return str(pybars.Compiler().compile(source)(data))


def render_postmark(source: str, fields: dict[str, str]) -> str:
    data: dict[str, str] = {"pm:unsubscribe": fields["UNSUB"]}
    if fields.get("FNAME"):
        data["first_name"] = fields["FNAME"]
    return str(chevron.render(source, data))


RENDERERS: dict[str, Callable[[str, dict[str, str]], str]] = {
    "mailchimp": merge_mailchimp,
    "sendgrid": render_sendgrid,
    "postmark": render_postmark,
}
LEFTOVERS = re.compile(r"\*\||\|\*|\{\{|\}\}")


def greeting_of(html: str) -> str:
    """The text of the greeting paragraph, as a reader sees it."""
    [found] = re.findall(r'<p class="greeting"[^>]*>(.*?)</p>', html, re.S)
    return " ".join(found.split())


def test_the_mailchimp_merge_follows_its_rules() -> None:
    source = "*|IF:FNAME|*Hi *|FNAME|**|ELSEIF:LNAME|*Hi M. *|LNAME|**|ELSE:|*Hi*|END:IF|*!"
    assert merge_mailchimp(source, {"FNAME": "Ana"}) == "Hi Ana!"
    assert merge_mailchimp(source, {"LNAME": "Ruiz"}) == "Hi M. Ruiz!"
    assert merge_mailchimp(source, {}) == "Hi!"
    assert merge_mailchimp("*|IFNOT:X|*a*|IF:Y|*b*|END:IF|**|END:IF|*", {"Y": "1"}) == "ab"


@pytest.mark.parametrize("esp", sorted(RENDERERS))
@pytest.mark.parametrize(("name", "hello"), [("Ana", "Hello Ana,"), ("", "Hello,")])
def test_greeting_and_unsubscribe_as_the_service_sends_them(
    bundles: dict[str, Bundle], esp: str, name: str, hello: str
) -> None:
    render = RENDERERS[esp]
    fields = {"FNAME": name, "UNSUB": UNSUBSCRIBE}
    item = email_parts(bundles["ketamine-withdrawal"], EmailOptions(esp=esp))  # type: ignore[arg-type]
    digest = digest_parts(list(bundles.values()), DigestOptions(esp=esp, subject="News", intro="Hi."))  # type: ignore[arg-type]
    for parts in (item, digest):
        html, text = render(parts.html, fields), render(parts.text, fields)
        assert not LEFTOVERS.search(html) and not LEFTOVERS.search(text)
        assert greeting_of(html) == hello
        assert text.splitlines()[0] == hello
        hrefs = [attrs["href"] for tag, attrs in parse(html).tags if tag == "a"]
        assert UNSUBSCRIBE in hrefs
        assert f"Unsubscribe from these emails: {UNSUBSCRIBE}" in text


@pytest.mark.parametrize("esp", sorted(RENDERERS))
def test_the_brand_can_set_the_greeting_without_a_name(bundles: dict[str, Bundle], esp: str) -> None:
    bundle = bundles["ketamine-addiction-faq"]
    brand = msgspec.structs.replace(bundle.brand, greeting="Dear", greeting_without_name="Dear reader")
    rebranded = make_bundle(bundle.item, list(bundle.embeds.values()), brand)
    parts = email_parts(rebranded, EmailOptions(esp=esp))  # type: ignore[arg-type]
    render = RENDERERS[esp]
    assert greeting_of(render(parts.html, {"FNAME": "Ana", "UNSUB": UNSUBSCRIBE})) == "Dear Ana,"
    assert greeting_of(render(parts.html, {"UNSUB": UNSUBSCRIBE})) == "Dear reader,"


def test_without_a_service_there_is_no_merge_tag(bundles: dict[str, Bundle]) -> None:
    parts = email_parts(bundles["ketamine-withdrawal"], EmailOptions(esp="none"))
    assert greeting_of(parts.html) == "Hello,"
    assert not LEFTOVERS.search(parts.html) and not LEFTOVERS.search(parts.text)
