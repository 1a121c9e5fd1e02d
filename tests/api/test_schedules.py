"""Schedules and review dates through the API: what publishers send, and what the public gets.

The runner is driven directly (``run_due`` and ``check`` with the time each test wants), in the
app's own event loop; no test sleeps or reads the wall clock to decide anything.
"""

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient
from msgspec.structs import replace

from api.app import create_app
from api.scheduler import Scheduler
from api.settings import Settings
from content.db import create_engine, items, versions
from content.review_dates import Fired, ReviewDates
from content.store import Store
from tests.api.test_desk import _session
from tests.api.test_editorial import reviewed, start_draft
from tests.conftest import bearer
from tests.content.test_schedules import Outbox, setup

Client = TestClient[Any]
ARTICLE = "/v1/articles/ketamine-withdrawal"
FAQ = "/v1/faqs/ketamine-addiction-faq"
PUBLIC = ("", "/email", "/email.txt", "/handout.pdf")  # JSON, email copy, the handout; and the page


def channels(client: Client, api_path: str) -> dict[str, int]:
    """Status of every public channel of one item, asked anonymously."""
    page = api_path.removeprefix("/v1")
    found = {api_path + suffix: client.get(api_path + suffix).status_code for suffix in PUBLIC}
    found[page] = client.get(page).status_code
    return found


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body


def test_a_scheduled_archive_withdraws_the_item_from_every_public_channel(
    settings: Settings, tokens: dict[str, str]
) -> None:
    with TestClient(create_app(replace(settings, schedule_poll_seconds=3600))) as client:
        assert set(channels(client, ARTICLE).values()) == {200}
        at = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)).isoformat(timespec="seconds")
        made = client.post(
            "/v1/schedules",
            json={"action": "archive", "type": "article", "slug": "ketamine-withdrawal", "at": at},
            headers=bearer(tokens["publisher"]),
        )
        assert made.status_code == 201, made.text
        schedule = made.json()
        assert schedule["state"] == "pending" and schedule["timeZone"] == "UTC"
        schedules = client.app.state.services.editorial.schedules

        when = dt.datetime.fromisoformat(schedule["at"])
        assert client.blocking_portal.call(schedules.run_due, when - dt.timedelta(seconds=1)) == []
        assert set(channels(client, ARTICLE).values()) == {200}
        [ran] = client.blocking_portal.call(schedules.run_due, when)
        assert ran.state == "done"

        gone = channels(client, ARTICLE)
        assert set(gone.values()) == {410}, gone
        problem(client.get(ARTICLE), 410)
        shown = client.get(f"/v1/schedules/{schedule['id']}", headers=bearer(tokens["publisher"])).json()
        assert shown["state"] == "done" and shown["ranAt"] is not None


def test_publishers_schedule_in_the_clinic_time_zone_and_cancel(
    settings: Settings, tokens: dict[str, str]
) -> None:
    with TestClient(create_app(replace(settings, time_zone="America/Chicago"))) as client:
        body = {
            "action": "archive",
            "type": "article",
            "slug": "ketamine-withdrawal",
            "at": "2031-01-15T09:00",
        }
        for role in ("reader", "editor", "reviewer"):
            assert client.post("/v1/schedules", json=body, headers=bearer(tokens[role])).status_code == 403
        assert client.get("/v1/schedules").status_code == 401
        publisher = bearer(tokens["publisher"])
        made = client.post("/v1/schedules", json=body, headers=publisher)
        assert made.status_code == 201, made.text
        shown = made.json()
        assert client.get(made.headers["location"], headers=publisher).json() == shown
        assert shown["at"] == "2031-01-15T15:00:00Z" and shown["atLocal"] == "2031-01-15T09:00:00-06:00"
        assert shown["timeZone"] == "America/Chicago" and shown["createdBy"] == "publisher"
        assert [s["id"] for s in client.get("/v1/schedules", headers=publisher).json()["schedules"]] == [
            shown["id"]
        ]

        cancelled = client.delete(f"/v1/schedules/{shown['id']}", headers=publisher)
        assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
        assert (
            "cancelled"
            in problem(client.delete(f"/v1/schedules/{shown['id']}", headers=publisher), 409)["detail"]
        )
        assert client.get("/v1/schedules?state=pending", headers=publisher).json()["schedules"] == []
        problem(client.get("/v1/schedules/9999", headers=publisher), 404)


def test_bad_schedules_are_problems(settings: Settings, tokens: dict[str, str]) -> None:
    with TestClient(create_app(replace(settings, time_zone="America/Chicago"))) as client:
        publisher = bearer(tokens["publisher"])
        base = {
            "action": "publish",
            "type": "article",
            "slug": "ketamine-withdrawal",
            "at": "2031-01-15T09:00",
        }
        cases = [
            ({"at": "tomorrow"}, 400, None),
            ({"at": "2031-13-45T09:00"}, 400, "not an ISO 8601 time"),
            ({"at": "2020-01-01T09:00Z"}, 400, "has passed"),
            ({"at": "2031-03-09T02:30"}, 400, "does not exist in America/Chicago"),
            # Times Python cannot move between zones (before year 1 or past 9999 in UTC), and
            # times more than ten years ahead (a typo, surely), are refused too: never a 500.
            ({"at": "0001-01-01T00:00+05:00"}, 400, "out of range"),
            ({"at": "9999-12-31T23:59"}, 400, "out of range"),  # 06:00 UTC in year 10000
            ({"at": "9999-12-31T23:59Z"}, 400, "more than ten years ahead"),
            ({"at": "2040-01-15T09:00"}, 400, "more than ten years ahead"),
            ({"action": "unpublish"}, 400, None),
            ({"slug": "no-such-item"}, 404, None),
            ({}, 404, "has no draft"),  # a publish needs a draft to schedule
        ]
        for change, status, words in cases:
            found = problem(client.post("/v1/schedules", json={**base, **change}, headers=publisher), status)
            assert words is None or words in found["detail"], found
            assert status != 400 or "at" not in change or "$.at" in str(found), found
        assert client.get("/v1/schedules", headers=publisher).json()["schedules"] == []


def set_next_review(settings: Settings, slug: str, day: dt.date) -> None:
    """The API takes only future dates: set the signed version's date as time would have moved it."""

    async def run() -> None:
        engine = create_engine(settings.db_url)
        async with engine.begin() as conn:
            item = sa.select(items.c.id).where(items.c.slug == slug, items.c.locale == "en")
            await conn.execute(
                versions.update().where(versions.c.item_id.in_(item)).values(next_review_on=day)
            )
        await engine.dispose()

    asyncio.run(run())


def publish_signed(client: Client, tokens: dict[str, str], path: str) -> None:
    _, etag = start_draft(client, tokens, path)
    etag = reviewed(client, tokens, path, etag)
    published = client.post(path + "/publish", headers=bearer(tokens["publisher"], **{"If-Match": etag}))
    assert published.status_code == 200, published.text


def signed_and_overdue(settings: Settings, tokens: dict[str, str]) -> None:
    """The FAQ's version 2, signed off, its next review yesterday (as if time had passed; the app
    that published it is closed, so no process holds the version as it was)."""
    with TestClient(create_app(settings)) as client:
        publish_signed(client, tokens, FAQ)
    set_next_review(settings, "ketamine-addiction-faq", dt.date.today() - dt.timedelta(days=1))


def test_an_overdue_item_is_withdrawn_until_a_new_signed_version(
    settings: Settings, tokens: dict[str, str]
) -> None:
    signed_and_overdue(settings, tokens)
    with TestClient(create_app(replace(settings, overdue="withdraw", schedule_poll_seconds=3600))) as client:
        runner = client.app.state.services.editorial.review_dates
        fired = [client.blocking_portal.call(runner.check, dt.date.today()) for _ in range(3)]
        # The runner checked at start-up too: whichever check came first fired it, once.
        assert [f.event for run in fired for f in run] in ([], ["review.overdue"])
        overdue = [e for e in audit_entries(client, tokens) if e["action"] == "review_overdue"]
        assert [e["slug"] for e in overdue] == ["ketamine-addiction-faq"]

        assert set(channels(client, FAQ).values()) == {410}, channels(client, FAQ)
        assert "review date passed" in problem(client.get(FAQ), 410)["detail"]
        assert client.get(FAQ + "/versions/1").status_code == 200  # history stays readable
        # The article embedding it is not itself overdue (never signed off): it stays.
        assert client.get("/v1/articles/is-ketamine-therapy-addictive").status_code == 200

        _session(client, tokens["reviewer"])  # reviewers find it in their queue
        queue = client.get("/desk/review").text
        due = queue[queue.index("Reviews due and overdue") :]
        assert "Ketamine therapy and addiction" in due and "Review overdue" in due

        publish_signed(client, tokens, FAQ)  # a reviewer signs a new version
        assert set(channels(client, FAQ).values()) == {200}


def test_an_overdue_item_is_kept_and_marked_by_default(settings: Settings, tokens: dict[str, str]) -> None:
    signed_and_overdue(settings, tokens)
    with TestClient(create_app(settings)) as client:
        assert set(channels(client, FAQ).values()) == {200}
        assert client.get(FAQ).json()["review"]["status"] == "overdue"


def audit_entries(client: Client, tokens: dict[str, str]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = client.get("/v1/audit?limit=200", headers=bearer(tokens["admin"])).json()[
        "entries"
    ]
    return entries


@pytest.mark.anyio
async def test_the_runner_runs_what_was_missed_at_start_up_and_checks_reviews_daily(
    store: Store, library: Path
) -> None:
    """Folio was down at the schedule's time: the first tick (at start-up) runs it and says how late."""
    _, schedules = await setup(store, library, Outbox())
    made = await schedules.create(
        "archive", "article", "ketamine-withdrawal", "en", "2026-12-07T10:00", "pat"
    )
    clock = [dt.datetime(2026, 12, 8, 2, 30, tzinfo=dt.UTC)]  # 16:00 UTC was the time
    checked: list[dt.date] = []

    class Dates(ReviewDates):
        async def check(self, today: dt.date) -> list[Fired]:
            checked.append(today)
            return []

    runner = Scheduler(
        schedules, Dates(store.engine, schedules.publishing), poll_seconds=5, clock=lambda: clock[0]
    )
    ran, _ = await runner.tick()
    assert [(s.id, s.state) for s in ran] == [(made.id, "done")]
    assert "ran 10 h 30 min late" in ran[0].outcome
    clock[0] += dt.timedelta(seconds=5)
    assert await runner.tick() == ([], [])
    clock[0] += dt.timedelta(days=1)
    await runner.tick()
    assert checked == [dt.date(2026, 12, 8), dt.date(2026, 12, 9)]  # once a day, the first at start-up


@pytest.mark.anyio
async def test_a_failing_schedule_run_does_not_stop_the_review_check_nor_the_other_way(
    store: Store, library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, schedules = await setup(store, library, Outbox())
    made = await schedules.create(
        "archive", "article", "ketamine-withdrawal", "en", "2026-12-07T10:00", "pat"
    )
    checked: list[dt.date] = []
    broken = {"runs": True, "check": False}

    run_due = schedules.run_due

    async def runs(now: dt.datetime | None = None) -> list[Any]:
        if broken["runs"]:
            raise RuntimeError("database hiccup")
        return await run_due(now)

    class Dates(ReviewDates):
        async def check(self, today: dt.date) -> list[Fired]:
            checked.append(today)
            if broken["check"]:
                raise RuntimeError("database hiccup")
            return []

    monkeypatch.setattr(schedules, "run_due", runs)
    clock = [dt.datetime(2026, 12, 8, 2, 30, tzinfo=dt.UTC)]
    runner = Scheduler(
        schedules, Dates(store.engine, schedules.publishing), poll_seconds=5, clock=lambda: clock[0]
    )
    assert await runner.tick() == ([], [])  # the runs failed; the check ran all the same
    assert checked == [dt.date(2026, 12, 8)]
    broken.update(runs=False, check=True)
    clock[0] += dt.timedelta(days=1)
    ran, _ = await runner.tick()  # the check fails; the schedule runs
    assert [(s.id, s.state) for s in ran] == [(made.id, "done")]
    broken.update(check=False)
    await runner.tick()  # a failed check is tried again on the next tick, not the next day
    assert checked == [dt.date(2026, 12, 8), dt.date(2026, 12, 9), dt.date(2026, 12, 9)]


def test_a_publisher_schedules_the_draft_from_the_desk(client: Client, tokens: dict[str, str]) -> None:
    start_draft(client, tokens, FAQ)
    csrf = _session(client, tokens["publisher"])
    page = client.get("/desk/faqs/ketamine-addiction-faq/draft")
    assert (
        page.status_code == 200 and 'action="/desk/faqs/ketamine-addiction-faq/draft/schedule"' in page.text
    )
    made = client.post(
        "/desk/faqs/ketamine-addiction-faq/draft/schedule",
        data={"csrf": csrf, "at": "2031-01-15T09:00", "note": "new answers"},
    )
    assert made.status_code == 200 and "The publish is scheduled for 15 Jan 2031 09:00 UTC." in made.text
    [shown] = client.get("/v1/schedules", headers=bearer(tokens["publisher"])).json()["schedules"]
    assert (shown["action"], shown["slug"], shown["at"], shown["note"]) == (
        "publish",
        "ketamine-addiction-faq",
        "2031-01-15T09:00:00Z",
        "new answers",
    )
    refused = client.post(
        "/desk/faqs/ketamine-addiction-faq/draft/schedule", data={"csrf": csrf, "at": "soon"}
    )
    assert refused.status_code == 400 and "is not an ISO 8601 time" in refused.text
