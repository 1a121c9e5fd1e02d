"""One Jinja setup for every channel: autoescape, StrictUndefined, the shared filters and labels."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2
from markupsafe import Markup

from content.locales import DEFAULT_LOCALE
from exporters.labels import CALLOUT, LABELS, long_date


@jinja2.pass_context
def _date(context: jinja2.runtime.Context, value: dt.date) -> str:
    """A long date in the render's ``locale`` (English when a render names none)."""
    return long_date(value, context.get("locale") or DEFAULT_LOCALE, context.get("country") or "US")


def environment(templates: Path) -> jinja2.Environment:
    """A channel's environment; build it once per channel (callers cache it).

    ``*.html.j2`` templates are autoescaped; ``*.txt.j2`` (plain-text bodies) are not. The
    globals hold the English labels; a render in another locale passes that locale's
    (``exporters.i18n.context``), which take precedence, so templates keep saying ``labels.x``.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["date"] = _date
    env.filters["html"] = Markup  # only for fields content.markdown already sanitized
    env.globals["labels"] = LABELS
    env.globals["callout_label"] = CALLOUT
    return env
