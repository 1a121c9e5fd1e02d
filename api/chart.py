"""The chart's view of Folio, shared by Infobutton, FHIR and CDS Hooks: which versions are offered,
where each opens, and the exact bytes of each file.

Review decision (issue 22, with issue 19): a chart is offered reviewed versions only. An operator
who must hand out material before sign-off sets ``FOLIO_EHR_OFFER_UNREVIEWED=true``; unreviewed
versions are then offered too, and every surface marks them (FHIR ``docStatus: preliminary``,
the Infobutton entry's and the CDS card's text start with ``UNREVIEWED``). The check is
``offered_to_chart``, and what counts as reviewed is ``reviewed``: the one place to wire to the
review status issue 19 gives each version.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

from api.exports import Exports
from api.reader import Reader, today
from api.settings import Settings
from content import model
from content.chart import ChartVersion
from content.options import DEFAULT_SIZE
from content.review_dates import withdrawn
from exporters.i18n import labels

Format = Literal["handout", "page"]
FORMATS: tuple[Format, ...] = ("handout", "page")
# The mark an unreviewed version carries on a CDS card, which speaks to the clinician.
UNREVIEWED = "Not yet reviewed by a clinician."


def unreviewed_mark(locale: str) -> str:
    """The mark every channel prints on an unreviewed version, in the document's language."""
    return labels(locale)["unreviewed"] + "."


def reviewed(version: ChartVersion) -> bool:
    """Whether a reviewer account signed this version off (issue 19: files and imports never do)."""
    return version.review is not None


def offered_to_chart(version: ChartVersion, settings: Settings) -> bool:
    """Whether the chart is offered this version: reviewed, or unreviewed where the operator allows
    it; never the latest version of an item withdrawn past its review date (FOLIO_OVERDUE=withdraw)."""
    if settings.overdue == "withdraw" and version.current and withdrawn(version.review, today()):
        return False
    return reviewed(version) or settings.ehr_offer_unreviewed


@dataclass(frozen=True, slots=True)
class ChartFile:
    """One version in one format, as a chart downloads it."""

    body: bytes
    content_type: str
    url: str  # where a person opens the same bytes

    @property
    def sha1(self) -> str:
        """SHA-1 of the bytes, base64: FHIR's Attachment.hash."""
        return base64.b64encode(hashlib.sha1(self.body).digest()).decode()


class Chart:
    """Published versions offered to a chart, their links and files, in one service."""

    def __init__(self, reader: Reader, exports: Exports, settings: Settings) -> None:
        self._reader = reader
        self.exports = exports
        self.cache_control = reader.cache_control  # of published content
        self.brand = reader.brand
        self.settings = settings
        self.base_url = settings.base_url
        # Until when (time.monotonic()) every look-up this request made holds: how long the
        # response store may keep a public answer built from them (api.response_store).
        self.until = float("inf")

    async def versions(
        self,
        *,
        locales: Sequence[str] | None = None,
        codes: Sequence[tuple[str | None, str]] = (),
        current_only: bool = False,
        ids: Sequence[int] | None = None,
    ) -> list[ChartVersion]:
        found, until = await self._reader.chart_versions(locales, codes, current_only, ids)
        self.until = min(self.until, until)
        return [v for v in found if offered_to_chart(v, self.settings)]

    def fresh_until(self, *, files: bool) -> float:
        """Until when an answer built from this request's look-ups holds; with ``files``, no later
        than midnight UTC (a handout prints the day it was printed)."""
        if not files:
            return self.until
        wall = time.time()
        midnight = (wall // 86400 + 1) * 86400  # POSIX days are UTC days
        return min(self.until, time.monotonic() + (midnight - wall))

    def url(self, version: ChartVersion, fmt: Format) -> str:
        """The page or handout of exactly this version, in its own locale."""
        plural = model.PLURALS[version.kind]
        query = urlencode({"version": version.number, "locale": version.locale})
        if fmt == "handout":
            return f"{self.base_url}/v1/{plural}/{version.slug}/handout.pdf?{query}"
        return f"{self.base_url}/{plural}/{version.slug}?{query}"

    async def files(self, wanted: Sequence[tuple[ChartVersion, Format]]) -> list[ChartFile]:
        """Several files, rendering as many at once as there are render workers (never a queue's 503)."""
        slots = asyncio.Semaphore(max(1, self.settings.pdf_workers))

        async def one(version: ChartVersion, fmt: Format) -> ChartFile:
            async with slots:
                return await self.file(version, fmt)

        return list(await asyncio.gather(*(one(v, fmt) for v, fmt in wanted)))

    async def file(self, version: ChartVersion, fmt: Format) -> ChartFile:
        """The bytes ``url`` serves today: the handout with the default paper, or the web page."""
        exports = self.exports
        bundle = await exports.bundle(version.kind, version.slug, version.number, (version.locale,))
        if fmt == "handout":
            rendered = await exports.render(
                "pdf", "pdf", [bundle], exports.handout_options(None, DEFAULT_SIZE)
            )
        else:
            rendered = await exports.render("web", "html", [bundle], await exports.page_options(bundle))
        return ChartFile(rendered.body, rendered.media_type.split(";")[0], self.url(version, fmt))
