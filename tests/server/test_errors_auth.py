"""Auth and routing: OpenAI's error envelope and status codes, for any client."""

from __future__ import annotations

import openai
import pytest

from tests.server.helpers import raw_request
from tests.spec_check import check_error


def test_missing_key_is_401_in_the_envelope(sandbox):
    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"}):
        status, head, body = raw_request("GET", f"{sandbox.base_url}/models", headers=headers)
        assert status == 401
        check_error(body)
        assert set(body["error"]) == {"message", "type", "param", "code"}
        assert "API key" in body["error"]["message"]
        assert head["x-request-id"].startswith("req_")


def test_unknown_route_and_method_are_404_envelopes(sandbox):
    auth = {"Authorization": "Bearer anything"}
    status, _, body = raw_request("GET", f"{sandbox.base_url}/nope", headers=auth)
    assert status == 404
    assert check_error(body)["error"]["message"] == "Invalid URL (GET /v1/nope)"
    status, _, body = raw_request("DELETE", f"{sandbox.base_url}/fine_tuning/jobs", headers=auth)
    assert status == 404 and check_error(body)


def test_malformed_json_is_400(sandbox):
    status, _, body = raw_request("POST", f"{sandbox.base_url}/fine_tuning/jobs", body=b"{not json",
                                  headers={"Authorization": "Bearer k",
                                           "Content-Type": "application/json"})
    assert status == 400 and check_error(body)


async def test_client_maps_statuses_to_its_error_types(client):
    with pytest.raises(openai.NotFoundError):
        await client.models.retrieve("gpt-nope")
    with pytest.raises(openai.PermissionDeniedError) as base:
        await client.models.delete("gpt-4o-mini-2024-07-18")
    assert base.value.status_code == 403 and check_error(base.value.response.json())
    with pytest.raises(openai.NotFoundError):
        await client.models.delete("ft:gpt-4o-mini-2024-07-18:sandbox::gone")
    async with openai.AsyncOpenAI(base_url=str(client.base_url), api_key="unused",
                                  default_headers={"Authorization": "Token abc"},
                                  max_retries=0) as keyless:
        with pytest.raises(openai.AuthenticationError):
            await keyless.models.list()
