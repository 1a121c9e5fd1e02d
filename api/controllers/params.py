"""Path, query and header parameter types shared by the controllers.

Every integer is bounded and every string is free of control characters here, at the edge, so
bad input is a 400 naming the parameter and never reaches a database that would choke on it.
"""

from typing import Annotated, Literal

from litestar.params import Parameter, ParameterKwarg

from content.model import MAX_VERSION, SINGLE_LINE
from content.options import Esp, Paper, Size

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SlugParam = Annotated[str, Parameter(pattern=SLUG_PATTERN, max_length=120, description="The item's slug.")]
EspParam = Annotated[
    Esp,
    Parameter(description="Whose merge-tag syntax to use for the first name and unsubscribe link."),
]
VersionParam = Annotated[
    int | None,
    Parameter(ge=1, le=MAX_VERSION, description="A published version number; the latest if absent."),
]
NumberParam = Annotated[int, Parameter(ge=1, le=MAX_VERSION, description="The version number.")]
IdParam = Annotated[int, Parameter(ge=1, le=2**31 - 1, description="The numeric id.")]
PaperParam = Annotated[
    Paper | None,
    Parameter(description="Paper size; if absent, FOLIO_PAPER, else the paper of the clinic's country."),
]
SizeParam = Annotated[
    Size,
    Parameter(description="large: body text 15 pt, for readers with low vision."),
]
IncludeParam = Annotated[
    Literal["embeds"] | None,
    Parameter(description="embeds: the versions this one pins, in full, in `included`."),
]
CursorParam = Annotated[
    str | None, Parameter(pattern=r"^[A-Za-z0-9_=-]*$", max_length=500, description="From nextCursor.")
]


def line(max_length: int, description: str | None = None, *, min_length: int | None = None) -> ParameterKwarg:
    """A free-text query or path parameter: one line, no control characters."""
    kwarg: ParameterKwarg = Parameter(
        pattern=SINGLE_LINE, min_length=min_length, max_length=max_length, description=description
    )
    return kwarg
