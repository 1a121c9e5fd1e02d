"""WCAG contrast, and brand colours nudged until text in them is readable on a background.

Brand colours come from the clinic's settings; whatever they are, the email's text keeps at
least AA contrast (4.5:1) in light and in dark mode.
"""

from __future__ import annotations

AA = 4.5
# The email's own surfaces: the light card and the dark-mode card every text sits on.
LIGHT_SURFACE = "#ffffff"
DARK_SURFACE = "#1b232c"
DARK_RAISED = "#24303c"  # dark-mode summary, callout and table-header cells


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0.0, min(255.0, c))):02x}" for c in rgb)


def luminance(colour: str) -> float:
    """Relative luminance as WCAG 2 defines it."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable(colour: str, background: str, minimum: float = AA) -> str:
    """``colour`` if it reads on ``background``; else mixed toward white or black until it does."""
    if contrast(colour, background) >= minimum:
        return colour
    target = (0, 0, 0) if luminance(background) > 0.18 else (255, 255, 255)
    start = _rgb(colour)
    for step in range(1, 21):
        t = step / 20
        r, g, b = (s + (e - s) * t for s, e in zip(start, target, strict=True))
        mixed = _hex((r, g, b))
        if contrast(mixed, background) >= minimum:
            return mixed
    return _hex(target)
