"""The clinic's identity and words, per locale: feeds every channel, never written into items."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
from msgspec import Meta

from content.locales import DEFAULT_LOCALE
from content.options import Paper
from content.types import SINGLE_LINE, Locale, Title, Wire

_Wording = Annotated[str, Meta(min_length=1, max_length=60)]
_Disclaimer = Annotated[str, Meta(min_length=1, max_length=2000)]
_Note = Annotated[str, Meta(min_length=1, max_length=200, pattern=SINGLE_LINE)]


class BrandWords(Wire, kw_only=True):
    """The brand's words in one other locale; what is unset there comes from the catalogs."""

    disclaimer: _Disclaimer | None = None
    greeting: _Wording | None = None
    greeting_without_name: _Wording | None = None
    cta_label: _Wording | None = None
    email_disclaimer: _Disclaimer | None = None
    hours: _Note | None = None
    when_to_call: _Disclaimer | None = None


# Countries whose paper is US Letter; every other country prints on A4.
LETTER_COUNTRIES = frozenset({"US", "CA", "MX", "PH", "CL", "CO", "VE", "CR", "GT", "SV", "PA", "DO", "PR"})


class Brand(Wire, kw_only=True):
    """The clinic's identity; feeds exports, never written into articles."""

    clinic_name: Title
    phone: Annotated[str, Meta(pattern=r"^\+?[0-9 ()\-]{5,30}$")]
    email: Annotated[str, Meta(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    address: str | None = None
    appointment_url: Annotated[str, Meta(pattern=r"^https?://")]
    website_url: Annotated[str, Meta(pattern=r"^https?://")]
    disclaimer: _Disclaimer
    primary_color: Annotated[str, Meta(pattern=r"^#[0-9a-fA-F]{6}$")] = "#1f5f8b"
    accent_color: Annotated[str, Meta(pattern=r"^#[0-9a-fA-F]{6}$")] = "#e9f2f8"
    # Email wording; unset, the channel's own labels are used (and follow the locale).
    greeting: _Wording | None = None  # "Hello" Ana,
    greeting_without_name: _Wording | None = None  # "Hello",
    cta_label: _Wording | None = None  # every email's button
    email_disclaimer: _Disclaimer | None = None
    # Where the clinic is (ISO 3166 country): English is printed in that country's convention
    # (en-US: "November 2, 2026"; en-GB: "2 November 2026") and handouts default to its paper.
    country: Annotated[str, Meta(pattern=r"^[A-Z]{2}$")] = "US"
    # Printed at the end of every handout; unset, a sample marked as such is printed instead.
    hours: _Note | None = None  # "Monday to Friday, 8 a.m. to 6 p.m."
    when_to_call: _Disclaimer | None = None  # when a patient should call the clinic
    # The words above are English (the default locale's); ``translations`` gives other locales'.
    translations: dict[Locale, BrandWords] = {}
    # The clinic's IANA time zone ("Europe/Madrid"): the desk shows times in it and schedules are
    # entered in it. FOLIO_TIME_ZONE overrides it; unset in both, UTC.
    time_zone: Annotated[str, Meta(min_length=1, max_length=64)] | None = None

    def __post_init__(self) -> None:
        if self.time_zone is not None:
            try:
                ZoneInfo(self.time_zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    f"timeZone {self.time_zone!r} is not an IANA time zone, such as Europe/Madrid"
                ) from None

    @property
    def paper(self) -> Paper:
        """The paper handouts default to in the clinic's country."""
        return "letter" if self.country in LETTER_COUNTRIES else "a4"

    def in_locale(self, locale: str) -> Brand:
        """The brand as a channel prints it in ``locale``.

        English is the brand's own. In another locale, that locale's words replace the English
        ones; email wording it lacks is dropped (the channel's catalog then speaks the reader's
        language), while the disclaimer, which every handout must print, stays English.
        """
        if locale.split("-")[0] == DEFAULT_LOCALE:
            return self
        words = self.translations.get(locale) or self.translations.get(locale.split("-")[0]) or BrandWords()
        return msgspec.structs.replace(
            self,
            disclaimer=words.disclaimer or self.disclaimer,
            greeting=words.greeting,
            greeting_without_name=words.greeting_without_name,
            cta_label=words.cta_label,
            email_disclaimer=words.email_disclaimer,
            # The clinic's own words, even untranslated, beat a sample; unset in both, a sample.
            hours=words.hours or self.hours,
            when_to_call=words.when_to_call or self.when_to_call,
            translations={},
        )


__all__ = ["LETTER_COUNTRIES", "Brand", "BrandWords"]
