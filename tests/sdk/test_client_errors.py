"""Authentication, the error tree and bodies that are not the JSON expected, over real HTTP."""

from __future__ import annotations

import base64
import contextlib

import pytest

import zendesk_ivr
from zendesk_ivr import Client
from zendesk_ivr.testing import FakeZendesk


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def client_for(fake: FakeZendesk, **kwargs: object) -> Client:
    settings: dict[str, object] = {"email": fake.email, "api_token": fake.api_token}
    settings.update(kwargs)
    return Client(base_url=fake.url, max_retries=0, **settings)  # type: ignore[arg-type]


@pytest.mark.parametrize("scheme", ["api_token", "password", "oauth_token"])
async def test_each_auth_scheme_is_accepted_and_sends_the_documented_header(
    zendesk_fake: FakeZendesk, scheme: str
) -> None:
    credentials: dict[str, str | None] = {
        "api_token": {"email": zendesk_fake.email, "api_token": zendesk_fake.api_token},
        "password": {"email": zendesk_fake.email, "password": zendesk_fake.password},
        "oauth_token": {"oauth_token": zendesk_fake.oauth_token},
    }[scheme]
    expected = {
        "api_token": "Basic "
        + base64.b64encode(
            f"{zendesk_fake.email}/token:{zendesk_fake.api_token}".encode()
        ).decode(),
        "password": "Basic "
        + base64.b64encode(f"{zendesk_fake.email}:{zendesk_fake.password}".encode()).decode(),
        "oauth_token": f"Bearer {zendesk_fake.oauth_token}",
    }[scheme]

    # Password access is retired: a client built with one still works where it is accepted
    # (the fake accepts it), and says it is deprecated.
    retired = pytest.warns(DeprecationWarning, match="no longer accepts email \\+ password")
    with retired if scheme == "password" else contextlib.nullcontext():
        client = Client(base_url=zendesk_fake.url, **credentials)  # type: ignore[arg-type]
    async with client:
        assert [ivr async for ivr in client.ivrs.list()] == []

    assert zendesk_fake.requests[-1].header("Authorization") == expected
    assert zendesk_fake.requests[-1].header("Accept") == "application/json"


@pytest.mark.parametrize(
    "credentials",
    [
        {"email": "agent@example.com", "api_token": "wrong"},
        {"email": "agent@example.com", "password": "wrong"},
        {"oauth_token": "wrong"},
    ],
)
async def test_wrong_credentials_raise_authentication_error(
    zendesk_fake: FakeZendesk, credentials: dict[str, str]
) -> None:
    retired = pytest.warns(DeprecationWarning, match="password")
    with retired if "password" in credentials else contextlib.nullcontext():
        client = Client(base_url=zendesk_fake.url, **credentials)  # type: ignore[arg-type]
    async with client:
        with pytest.raises(zendesk_ivr.AuthenticationError) as info:
            await client.ivrs.get(1)

    error = info.value
    assert error.status == 401
    assert error.error == "Couldn't authenticate you"
    assert error.request_id
    assert "wrong" not in str(error)
    assert "wrong" not in repr(error.__dict__)


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, zendesk_ivr.APIError),
        (401, zendesk_ivr.AuthenticationError),
        (403, zendesk_ivr.PermissionDenied),
        (404, zendesk_ivr.NotFound),
        (409, zendesk_ivr.APIError),
        (422, zendesk_ivr.RecordInvalid),
        (429, zendesk_ivr.RateLimited),
        (500, zendesk_ivr.ServerError),
        (502, zendesk_ivr.ServerError),
        (503, zendesk_ivr.ServerError),
        (504, zendesk_ivr.ServerError),
    ],
)
async def test_each_status_raises_its_error_class_with_context(
    zendesk_fake: FakeZendesk, status: int, error_class: type[zendesk_ivr.APIError]
) -> None:
    zendesk_fake.fail_next(status, path="/ivr")
    async with client_for(zendesk_fake) as client:
        with pytest.raises(error_class) as info:
            await client.ivrs.create(name="x")

    error = info.value
    assert type(error) is error_class
    assert isinstance(error, zendesk_ivr.ZendeskError)
    assert error.status == status
    assert error.method == "POST"
    assert error.url.endswith("/api/v2/channels/voice/ivr")
    assert error.request_id is not None
    assert error.request_id == zendesk_fake.requests[-1].response_request_id
    assert error.request_id in str(error)
    assert zendesk_fake.ivr_ids() == []


async def test_rate_limited_carries_retry_after_from_a_text_plain_429(
    zendesk_fake: FakeZendesk,
) -> None:
    zendesk_fake.fail_next(429, retry_after=17)
    async with client_for(zendesk_fake) as client:
        with pytest.raises(zendesk_ivr.RateLimited) as info:
            await client.ivrs.get(1)

    assert info.value.retry_after == 17
    assert info.value.error is None
    assert info.value.description == "Too Many Requests"


async def test_error_headers_are_named_in_lower_case_whatever_case_the_server_used(
    zendesk_fake: FakeZendesk,
) -> None:
    sent = {"X-Zendesk-Hint": "slow down", "X-Custom-Thing": "Kept As Sent"}
    zendesk_fake.fail_next(429, retry_after=3, headers=sent)
    async with client_for(zendesk_fake) as client:
        with pytest.raises(zendesk_ivr.RateLimited) as info:
            await client.ivrs.get(1)

    headers = info.value.headers
    assert headers["x-zendesk-hint"] == "slow down"
    assert headers["x-custom-thing"] == "Kept As Sent"
    assert headers["retry-after"] == "3"
    assert all(name == name.lower() for name in headers)


async def test_html_error_pages_are_summarized_not_dumped(zendesk_fake: FakeZendesk) -> None:
    zendesk_fake.fail_next(
        503,
        body="<html><head><title>Zendesk is down for maintenance</title></head>"
        "<body><h1>Back soon</h1>" + "x" * 5000 + "</body></html>",
        content_type="text/html",
    )
    async with client_for(zendesk_fake) as client:
        with pytest.raises(zendesk_ivr.ServerError) as info:
            await client.ivrs.get(1)

    assert info.value.description == "Zendesk is down for maintenance"
    assert len(str(info.value)) < 400


async def test_a_200_that_is_not_json_raises_decode_error(zendesk_fake: FakeZendesk) -> None:
    zendesk_fake.seed(1)
    zendesk_fake.truncate_next(path="/ivr")
    async with client_for(zendesk_fake) as client:
        with pytest.raises(zendesk_ivr.DecodeError) as info:
            await client.ivrs.get(zendesk_fake.ivr_ids()[0])

    assert info.value.status == 200
    assert "not valid JSON" in str(info.value)


async def test_a_200_with_the_wrong_shape_names_the_json_path(zendesk_fake: FakeZendesk) -> None:
    zendesk_fake.fail_next(200, body='{"ivr": {"id": "nine", "name": "x"}}')
    async with client_for(zendesk_fake) as client:
        with pytest.raises(zendesk_ivr.DecodeError) as info:
            await client.ivrs.get(9)

    assert any("$.ivr.id" in line for line in info.value.errors)


async def test_a_200_without_the_envelope_key_raises_decode_error(
    zendesk_fake: FakeZendesk,
) -> None:
    zendesk_fake.fail_next(200, body='{"something_else": {}}')
    async with client_for(zendesk_fake) as client:
        with pytest.raises(zendesk_ivr.DecodeError, match="'ivr'"):
            await client.ivrs.get(9)


async def test_connection_refused_is_a_transport_error() -> None:
    fake = await FakeZendesk.start()
    url = fake.url
    await fake.aclose()
    async with Client(base_url=url, oauth_token="t", max_retries=0) as client:
        with pytest.raises(zendesk_ivr.TransportError) as info:
            await client.ivrs.get(1)
    assert info.value.request_sent is False
    assert info.value.method == "GET"
