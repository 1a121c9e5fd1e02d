"""Every word a channel prints that is not content: one table, shared by all channels.

The English table is the source: each key is a gettext context (``msgctxt``) and its text the
``msgid``; other locales translate them in ``exporters/locales/<locale>/LC_MESSAGES/folio.po``
(see ``exporters.i18n``). Add new keys at the end, and their translations to every catalog.
"""

from __future__ import annotations

import datetime as dt

# Callout tones as readers see them.
CALLOUT = {"info": "Good to know", "yes": "Yes", "no": "No", "warning": "Important"}

LABELS = {
    "in_short": "In short",
    "version": "Version",
    "reviewed": "Reviewed",
    "reviewed_by": "by",
    "next_review": "next review",
    "printed": "Printed",
    "page": "Page",
    "of": "of",
    "factor": "Factor",
    "contents": "Contents",
    "packet_title": "Patient information packet",
    "packet_intro": "This packet holds {count} handouts:",
    "overdue_title": "Review overdue.",
    "overdue": "This was due for review on {date}. Please check with the care team that it is still current.",
    "questions": "Questions, or ready for a visit?",
    "call_or_book": "Call {phone} or book at {url}.",
    "scan": "Scan the code to read version {version} of this handout online: {url}",
    "qr_alt": "QR code linking to this handout online: {url}",
    "embedded_from": "From “{title}”, version {version}",
    "in_this_packet": "“{title}” (version {version}) is printed in full in this packet, on page",
    "book": "Book an appointment",
    # Email: every link's text names where it goes, so it makes sense read on its own.
    "hello": "Hello",
    "read_online": "Read online: {title}",
    "read_item": "Read: {title}",
    "unsubscribe": "Unsubscribe from these emails",
    "sent_by": "This email comes from {clinic}.",
    "email_disclaimer": (
        "This email is general information for patients. It is not medical advice and does not "
        "replace a conversation with your own clinician."
    ),
    "phone": "Phone",
    "newer_version": "This is version {version}, kept for the record. A newer version is available:",
    "read_latest": "read the latest version",
    "handout": "Print a handout",
    "handout_large": "large print",
    "handout_standard": "standard print",
    "json": "This page as JSON",
    "skip": "Skip to content",
    "related": "Related reading",
    "icon": "icon",
    "paper_a4": "A4",
    "paper_letter": "US letter",
    "other_languages": "Also in",
    # Every channel marks a version no reviewer account has signed off (sample content).
    "unreviewed": "Sample: not reviewed by a clinician",
    "unreviewed_note": (
        "No clinician has signed this text off yet. Ask your care team before you act on it."
    ),
}

# Babel's locale for each language's long dates: English keeps day-month-year ("2 November 2026").
_DATE_LOCALES = {"en": "en_GB"}


def long_date(value: dt.date, locale: str = "en") -> str:
    """The long date in ``locale``: "2 November 2026", "2 de noviembre de 2026"."""
    from babel.dates import format_date

    language = locale.split("-")[0]
    return format_date(value, format="long", locale=_DATE_LOCALES.get(language, locale.replace("-", "_")))
