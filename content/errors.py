"""The domain's errors. They carry no HTTP status: the API maps them in one table."""

from __future__ import annotations


class ContentError(Exception):
    """Base for every error the content domain raises on purpose."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(ContentError):
    """No such item, version or FAQ entry."""


class Gone(ContentError):
    """The item was archived; it existed and may come back."""


class Conflict(ContentError):
    """The request clashes with the item's state (exists already, review out of date, ...)."""


class TooHardToRead(Conflict):
    """A draft reads above the plain-language threshold and no override note was given."""


class Forbidden(ContentError):
    """This person may not do this to this item (four eyes: an editor of a draft signing it off)."""


class Stale(ContentError):
    """The client's precondition (the ETag it read) no longer matches: someone else wrote first."""


class InvalidInput(ContentError):
    """A request parameter or document field is invalid; ``field`` names it."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail)
        self.field = field


class LibraryError(ContentError):
    """One or more library files are invalid; each problem names the file and the field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
