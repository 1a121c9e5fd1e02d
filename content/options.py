"""The choices an export is made with, declared once: paper, print size and email service.

Each is a ``Literal`` type (for msgspec, Litestar's parameters and the OpenAPI document) with its
values as a tuple beside it (for argparse, the desk's forms and loops over every option).
"""

from __future__ import annotations

from typing import Literal, TypeAlias, get_args

Paper: TypeAlias = Literal["a4", "letter"]
Size: TypeAlias = Literal["standard", "large"]
# The email service whose unsubscribe merge tag a message carries; "none" carries none.
Esp: TypeAlias = Literal["mailchimp", "sendgrid", "postmark", "none"]

PAPERS: tuple[Paper, ...] = get_args(Paper)
SIZES: tuple[Size, ...] = get_args(Size)
ESPS: tuple[Esp, ...] = get_args(Esp)
DEFAULT_SIZE: Size = "standard"
DEFAULT_ESP: Esp = "none"
