"""Problem details built from the exceptions' structured data (no message parsing)."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient


def test_a_missing_required_parameter_is_named(client: TestClient[Any]) -> None:
    response = client.get("/v1/search")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["errors"] == [{"name": "q", "detail": "This parameter is required.", "source": "query"}]


def test_a_body_field_is_named_by_its_json_path(client: TestClient[Any]) -> None:
    response = client.post(
        "/v1/handouts", json={"items": [{"type": "article", "slug": "a", "version": 2**40}]}
    )
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["name"] == "$.items[0].version" and error["source"] == "body"


def test_too_deep_and_not_utf8_bodies_name_the_body(client: TestClient[Any]) -> None:
    for raw, what in ((b"[" * 200_000, "nested too deeply"), (b'"\xff"', "not valid UTF-8")):
        response = client.post("/v1/handouts", content=raw, headers={"Content-Type": "application/json"})
        assert response.status_code == 400, raw[:10]
        problem = response.json()
        assert problem["detail"] == f"The JSON body is {what}."
        assert problem["errors"] == [{"name": "$", "detail": f"The JSON body is {what}.", "source": "body"}]
