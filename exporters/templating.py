"""One Jinja setup for every channel: autoescape, StrictUndefined, the shared filters and labels."""

from __future__ import annotations

from pathlib import Path

import jinja2
from markupsafe import Markup

from exporters.labels import CALLOUT, LABELS, long_date


def environment(templates: Path) -> jinja2.Environment:
    """A channel's environment; build it once per channel (callers cache it).

    ``*.html.j2`` templates are autoescaped; ``*.txt.j2`` (plain-text bodies) are not.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["date"] = long_date
    env.filters["html"] = Markup  # only for fields content.markdown already sanitized
    env.globals["labels"] = LABELS
    env.globals["callout_label"] = CALLOUT
    return env
