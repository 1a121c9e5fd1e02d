"""What the content layer and the framework say, in the desk's plain words and its interface language.

content/*.py raises errors with English details written for API clients ("The draft changed since
you read it; fetch it again."). The desk shows people a plain sentence in their language instead:
each known detail (a pattern, its parts kept) maps to a label key; an unknown one is shown as is.
"""

from __future__ import annotations

import re

from api.desk.labels import catalog

_WHAT = r"(?:(?:article|faq|comparison) )?'(?P<slug>[^']+)'(?: in (?P<locale>[\w-]+))?"

# (pattern of an English detail, label key); the pattern's named groups fill the label's {placeholders}.
KNOWN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern + r"\Z", re.DOTALL), key)
    for pattern, key in (
        (
            r"Flesch-Kincaid grade (?P<grade>[\d.]+) is above the maximum of (?P<limit>[\d.]+);.*",
            "msg_too_hard",
        ),
        (
            r"Fernández-Huerta score (?P<score>[\d.]+) is below the minimum of (?P<minimum>[\d.]+) "
            r"\(the equivalent of grade (?P<limit>[\d.]+)\);.*",
            "msg_too_hard_es",
        ),
        (r"The draft changed since you read it; fetch it again\.", "msg_stale"),
        (r"The .* has no draft now; the one you read is gone\.", "msg_draft_gone"),
        (
            r"The draft has not been reviewed; a reviewer must review the current draft first\.",
            "msg_not_reviewed",
        ),
        (
            r"The draft changed after its review; a reviewer must review the current draft first\.",
            "msg_changed_after_review",
        ),
        (r"You signed this draft off as its reviewer; another publisher must publish it.*", "msg_own_review"),
        (
            r"'(?P<actor>[^']+)' is not a reviewer account; only a person's account signs off\.",
            "msg_not_reviewer",
        ),
        (
            r"Four eyes: you edited this draft, so you may not sign it off\..*\(edited by: (?P<names>.*)\)\.",
            "msg_four_eyes",
        ),
        (r"The latest " + _WHAT + r" already has version (?P<version>\d+)'s content\.", "msg_restore_same"),
        (r"A \w+ with slug " + _WHAT + r" exists already\.", "msg_slug_taken"),
        (r"The " + _WHAT + r" has a draft already; edit that one\.", "msg_has_draft"),
        (r"The " + _WHAT + r" has no draft\.", "msg_no_draft"),
        (r"The " + _WHAT + r" has no draft now; it is gone\.", "msg_draft_gone"),
        (r"No (?:published )?" + _WHAT + r"(?: version (?P<version>\d+))?(?: in [\w-]+)?\.", "msg_no_item"),
        (r"The " + _WHAT + r" was archived\.", "msg_archived"),
        (r"The " + _WHAT + r" is not archived\.", "msg_not_archived"),
        (r"The " + _WHAT + r" is embedded by (?P<names>.+); remove it from those first\.", "msg_embedded"),
        (r"The " + _WHAT + r" is withdrawn: .*", "msg_withdrawn"),
        (r"Publish what it embeds first: (?P<names>.+)", "msg_embeds_first"),
        (
            r"The draft changed after it was scheduled; schedule the current draft again\.",
            "msg_schedule_stale",
        ),
        (r"The " + _WHAT + r" is in this release already\.", "msg_in_release"),
        (r"Release \d+ has no drafts to publish; add some first\.", "msg_release_empty"),
        (r"Release \d+ was published already; a published release never changes\.", "msg_release_published"),
        (r"The release cannot be published: (?P<names>.+)\. Nothing was published\.", "msg_release_blocked"),
        (r"Not Found", "msg_not_found"),
        (r"Method Not Allowed", "msg_not_allowed"),
        (r"Choose a kind\.", "msg_choose_kind"),
        (r"Add at least one item to the packet\.", "msg_packet_empty"),
        (r"Pick at least one item\.", "msg_digest_empty"),
        (r"Give the release a name\.", "msg_release_name"),
        (r"Choose a release\.", "msg_choose_release"),
        (r"Give the next review date as a day in the future\.", "msg_next_review"),
    )
)

# Error page headings: what happened, in plain words, per status (the code only in small print).
HEADINGS = {400: "error_400", 403: "error_403", 404: "error_404", 409: "error_409", 410: "error_410"}


def plain(detail: str, language: str) -> str:
    """``detail`` in plain words in ``language``, or as it is when the desk does not know it."""
    words = catalog(language)
    for pattern, key in KNOWN:
        found = pattern.match(detail)
        if found and key in words:
            parts = {name: value or "" for name, value in found.groupdict().items()}
            try:
                return words[key].format(**parts)
            except (KeyError, IndexError):
                return detail
    return detail


def heading(status: int, language: str) -> str:
    """The error page's heading for ``status``: 404 "We couldn't find that page", and so on."""
    words = catalog(language)
    key = HEADINGS.get(status, "error_500" if status >= 500 else "error_other")
    return words[key]
