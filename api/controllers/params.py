"""Path and query parameter types shared by the controllers."""

from typing import Annotated, Literal

from litestar.params import Parameter

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SlugParam = Annotated[str, Parameter(pattern=SLUG_PATTERN, max_length=120, description="The item's slug.")]
EspParam = Annotated[
    Literal["mailchimp", "sendgrid", "postmark", "none"],
    Parameter(description="Whose merge-tag syntax to use for the first name and unsubscribe link."),
]
VersionParam = Annotated[
    int | None, Parameter(ge=1, description="A published version number; the latest if absent.")
]
PaperParam = Annotated[
    Literal["a4", "letter"] | None, Parameter(description="Paper size; the FOLIO_PAPER setting if absent.")
]
SizeParam = Annotated[
    Literal["standard", "large"],
    Parameter(description="large: body text 15 pt, for readers with low vision."),
]
IncludeParam = Annotated[
    Literal["embeds"] | None,
    Parameter(description="embeds: the versions this one pins, in full, in `included`."),
]
