"""Every word a channel prints that is not content: one table, shared by all channels.

The English table is the source: each key is a gettext context (``msgctxt``) and its text the
``msgid``; other locales translate them in ``exporters/locales/<locale>/LC_MESSAGES/folio.po``
(see ``exporters.i18n``). Add new keys at the end, and their translations to every catalog.
"""

from __future__ import annotations

import datetime as dt

from content.locales import DEFAULT_LOCALE

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
    "scan": "Scan the code to read version {version} of this handout online: {url}",
    "qr_alt": "QR code linking to this handout online: {url}",
    "embedded_from": "From “{title}”, version {version}",
    "in_this_packet": "“{title}” (version {version}) is printed in full in this packet, on page",
    "book": "Request an appointment",
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
    # The end of every handout: what a patient can do next. The questions are asked when the item
    # has neither its own list nor FAQ entries; the samples print, marked, until brand.yaml says.
    "ask_title": "Questions to ask your care team",
    "ask_1": "Is this treatment right for me?",
    "ask_2": "What happens at each session?",
    "ask_3": "Who should I call if I have a question after a session?",
    "contact_title": "How to reach us",
    "hours": "Hours",
    "when_to_call": "When to call us",
    "sample": "Sample text: the clinic has not filled this in yet.",
    "sample_hours": "Monday to Friday, 9 a.m. to 5 p.m.",
    "sample_when_to_call": (
        "Call us if you have a question about your treatment, or if you need to change or cancel a visit."
    ),
    "next_appointment": "My next appointment",
    "appointment_date": "Date",
    "appointment_time": "Time",
    "appointment_with": "With",
    "notes": "My notes",
    # Every channel marks a version no reviewer account has signed off (sample content).
    "unreviewed": "Sample: not reviewed by a clinician",
    "unreviewed_note": (
        "No clinician has signed this text off yet. Ask your care team before you act on it."
    ),
}

# Tags as readers see them in keywords (JSON-LD, PDF metadata); a tag not listed reads as itself.
TAGS = {
    "ketamine": "ketamine",
    "addiction": "addiction",
    "safety": "safety",
    "withdrawal": "withdrawal",
    "faq": "frequently asked questions",
}


def long_date(value: dt.date, locale: str = DEFAULT_LOCALE, country: str = "US") -> str:
    """The long date in ``locale`` as written in the clinic's ``country``.

    en in the US: "November 2, 2026"; en in GB: "2 November 2026"; es: "2 de noviembre de 2026".
    A locale with a region (``en-GB``) keeps it; a pair Babel does not know falls back to the language.
    """
    from babel import Locale, UnknownLocaleError
    from babel.dates import format_date

    language, _, region = locale.partition("-")
    try:
        babel_locale = Locale.parse(f"{language}_{region or country}")
    except (ValueError, UnknownLocaleError):
        babel_locale = Locale.parse(language)
    return format_date(value, format="long", locale=babel_locale)
