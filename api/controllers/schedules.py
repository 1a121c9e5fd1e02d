"""Schedules: publish a draft, archive an item or publish a release at a time; list and cancel them.
Publishers only.

Times are ISO 8601: with an offset (``2026-12-07T09:00-06:00``, ``…Z``) they are that instant;
without one they are a wall-clock time in the clinic's zone (FOLIO_TIME_ZONE). Every schedule
is shown back in UTC (``at``) and in that zone (``atLocal``, with its offset).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, delete, get, post
from litestar.params import JSONBody, QueryParameter
from msgspec import Meta

from api.auth import BEARER_SECURITY, requires
from api.caching import NO_STORE, Encoded, send
from api.controllers.params import IdParam
from api.deps import EditorialDep, PrincipalDep
from api.problems import WRITE_PROBLEMS
from content import model
from content.editorial import Editorial
from content.errors import Conflict, InvalidInput
from content.locales import DEFAULT_LOCALE, canonical
from content.schedules import Action, Schedule, State
from content.types import Locale, Slug


class ScheduleInput(model.Wire, kw_only=True):
    # "publish" the item's draft, "archive" the item, or "release": publish release ``release``.
    action: Action | Literal["release"]
    # The item's (publish, archive); not given for a release.
    type: model.Kind | None = None
    slug: Slug | None = None
    release: Annotated[int, Meta(ge=1, le=2**31 - 1)] | None = None
    locale: Locale = DEFAULT_LOCALE
    # ISO 8601; without an offset, in the clinic's time zone (FOLIO_TIME_ZONE).
    at: Annotated[str, Meta(min_length=10, max_length=40, pattern=r"^[0-9T:+\-. Z]+$")]
    # The change note of the version a scheduled publish makes.
    note: Annotated[str, Meta(max_length=1000, pattern=model.TEXT)] = ""


async def _release(editorial: Editorial, data: ScheduleInput, actor: str) -> Schedule:
    """Schedule release ``data.release``, which must exist and be unpublished now."""
    if data.release is None or data.type is not None or data.slug is not None:
        raise InvalidInput("$.release", "A release schedule names the release by id, and no type or slug.")
    release = await editorial.releases.get(data.release)  # NotFound: 404
    if release.published_at is not None:
        raise Conflict(f"Release {release.id} was published already.")
    return await editorial.schedules.create_release(release.id, data.at, actor, data.note)


class ScheduleList(model.Wire, kw_only=True):
    schedules: list[Schedule]


def private(request: Request[Any, Any, Any], body: object, status: int = 200) -> Response[Any]:
    response = send(request, Encoded.of(body), NO_STORE)
    response.status_code = status if response.status_code == 200 else response.status_code
    return response


class ScheduleController(Controller):
    path = "/v1/schedules"
    tags = ["schedules"]
    guards = [requires("publisher")]
    security = BEARER_SECURITY

    @post(
        "/", operation_id="createSchedule", summary="Schedule a publish or archive", responses=WRITE_PROBLEMS
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ScheduleInput],
        editorial: EditorialDep,
        principal: PrincipalDep,
    ) -> Response[Schedule]:
        """A publish runs only if the draft is then exactly the one scheduled now, reviewed;
        otherwise it is refused, marked failed, and a ``schedule.failed`` webhook event fires.
        A release (``"action": "release", "release": ID``, no type or slug) publishes all its
        drafts in one transaction then, or none: it fails the same way if one is not reviewed then."""
        if data.action == "release":
            schedule = await _release(editorial, data, principal.name)
        elif data.type is None or data.slug is None or data.release is not None:
            raise InvalidInput("$.type", f"A {data.action} names the item by type and slug, and no release.")
        else:
            schedule = await editorial.schedules.create(
                data.action, data.type, data.slug, canonical(data.locale), data.at, principal.name, data.note
            )
        response = private(request, schedule, 201)
        response.headers["Location"] = f"/v1/schedules/{schedule.id}"
        return response

    @get("/", operation_id="listSchedules", summary="List schedules, soonest first", responses=WRITE_PROBLEMS)
    async def list_schedules(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        in_state: Annotated[
            State | None,
            QueryParameter(name="state", description="Only schedules in this state.", required=False),
        ] = None,
    ) -> Response[ScheduleList]:
        return private(request, ScheduleList(schedules=await editorial.schedules.all(in_state)))

    @get("/{schedule_id:int}", operation_id="getSchedule", summary="One schedule", responses=WRITE_PROBLEMS)
    async def get_schedule(
        self, request: Request[Any, Any, Any], schedule_id: IdParam, editorial: EditorialDep
    ) -> Response[Schedule]:
        return private(request, await editorial.schedules.get(schedule_id))

    @delete(
        "/{schedule_id:int}",
        operation_id="cancelSchedule",
        summary="Cancel a pending schedule",
        responses=WRITE_PROBLEMS,
        status_code=200,
    )
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        schedule_id: IdParam,
        editorial: EditorialDep,
        principal: PrincipalDep,
    ) -> Response[Schedule]:
        """The schedule, now cancelled; one that already ran or failed cannot be (409)."""
        return private(request, await editorial.schedules.cancel(schedule_id, principal.name))
