"""Building a client: settings, environment, session ownership and what never leaks."""

from __future__ import annotations

import logging

import aiohttp
import pytest

import zendesk_ivr
from zendesk_ivr import Client
from zendesk_ivr._core.reading.serde import make_converter
from zendesk_ivr.testing import FakeZendesk

SECRET = "s3cr3t-value-42"


def test_subdomain_means_zendesk_com_over_https() -> None:
    client = Client(subdomain="acme", oauth_token="t")
    assert str(client.base_url) == "https://acme.zendesk.com/"


def test_base_url_wins_over_subdomain_and_keeps_a_proxy_prefix() -> None:
    client = Client(subdomain="acme", base_url="https://proxy.example/zendesk", oauth_token="t")
    assert str(client.base_url) == "https://proxy.example/zendesk/"


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"subdomain": "acme"},
        {"subdomain": "acme", "email": "a@b.c"},
        {"subdomain": "acme", "api_token": SECRET},
        {"subdomain": "acme", "email": "a@b.c", "api_token": SECRET, "password": SECRET},
        {"subdomain": "acme", "email": "a@b.c", "oauth_token": SECRET},
        {"subdomain": "acme", "api_token": SECRET, "oauth_token": SECRET},
        {"subdomain": "acme", "oauth_token": ""},
        {"subdomain": "acme.zendesk.com", "oauth_token": SECRET},
        {"subdomain": "evil.com/x", "oauth_token": SECRET},
        {"base_url": "ftp://acme.zendesk.com", "oauth_token": SECRET},
        {"base_url": "http://acme.zendesk.com", "oauth_token": SECRET},
        {"base_url": "http://10.0.0.5:8080", "oauth_token": SECRET},
        {"subdomain": "acme", "oauth_token": SECRET, "timeout": 0},
        {"subdomain": "acme", "oauth_token": SECRET, "max_retries": -1},
        {"subdomain": "acme", "oauth_token": SECRET, "max_concurrency": 0},
        {"subdomain": "acme", "oauth_token": SECRET, "session": object()},
    ],
)
def test_bad_settings_are_refused_at_construction_without_echoing_secrets(
    kwargs: dict[str, object],
) -> None:
    with pytest.raises(zendesk_ivr.ConfigurationError) as info:
        Client(**kwargs)  # type: ignore[arg-type]
    assert SECRET not in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9"])
def test_plain_http_is_allowed_to_loopback_only(base_url: str) -> None:
    assert Client(base_url=base_url, oauth_token="t").base_url.scheme == "http"


def test_repr_names_the_scheme_but_never_the_secret() -> None:
    client = Client(subdomain="acme", email="a@b.c", api_token=SECRET)
    assert SECRET not in repr(client)
    assert "api_token" in repr(client)
    assert "acme.zendesk.com" in repr(client)


def test_from_env_reads_every_variable_and_ignores_empty_ones() -> None:
    client = Client.from_env(
        {
            "ZENDESK_SUBDOMAIN": "acme",
            "ZENDESK_BASE_URL": "",
            "ZENDESK_EMAIL": "a@b.c",
            "ZENDESK_API_TOKEN": SECRET,
            "ZENDESK_PASSWORD": "  ",
            "ZENDESK_OAUTH_TOKEN": "",
        }
    )
    assert str(client.base_url) == "https://acme.zendesk.com/"
    assert "api_token" in repr(client)


def test_from_env_overrides_win() -> None:
    client = Client.from_env(
        {"ZENDESK_SUBDOMAIN": "acme", "ZENDESK_OAUTH_TOKEN": SECRET},
        base_url="http://127.0.0.1:1",
    )
    assert str(client.base_url) == "http://127.0.0.1:1/"


def test_from_env_with_two_schemes_is_refused() -> None:
    with pytest.raises(zendesk_ivr.ConfigurationError, match="exactly one"):
        Client.from_env(
            {
                "ZENDESK_BASE_URL": "http://127.0.0.1:1",
                "ZENDESK_OAUTH_TOKEN": "a",
                "ZENDESK_EMAIL": "x@y.z",
                "ZENDESK_PASSWORD": "p",
            }
        )


async def test_a_caller_session_is_used_and_never_closed(zendesk_fake: FakeZendesk) -> None:
    async with aiohttp.ClientSession() as session:
        async with Client(
            base_url=zendesk_fake.url, oauth_token=zendesk_fake.oauth_token, session=session
        ) as client:
            assert [i async for i in client.ivrs.list()] == []
        assert client.closed
        assert not session.closed


async def test_a_closed_client_refuses_to_send(zendesk_fake: FakeZendesk) -> None:
    client = Client(base_url=zendesk_fake.url, oauth_token=zendesk_fake.oauth_token)
    await client.aclose()
    await client.aclose()  # twice is fine
    with pytest.raises(zendesk_ivr.ClientClosed, match="closed") as info:
        await client.ivrs.get(1)
    # Typed as the SDK's own, and still what `except RuntimeError` caught in earlier releases.
    assert isinstance(info.value, zendesk_ivr.ZendeskError)
    assert isinstance(info.value, RuntimeError)
    assert zendesk_fake.requests == []


async def test_secrets_never_reach_log_records(
    zendesk_fake: FakeZendesk, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="zendesk_ivr")
    zendesk_fake.fail_next(429, retry_after=0)
    async with Client(base_url=zendesk_fake.url, oauth_token=zendesk_fake.oauth_token) as client:
        await client.ivrs.create(name="x")

    assert caplog.records, "expected DEBUG and WARNING records"
    assert zendesk_fake.oauth_token
    for record in caplog.records:
        assert zendesk_fake.oauth_token not in record.getMessage()
        assert zendesk_fake.oauth_token not in repr(record.__dict__)


def test_clients_share_one_converter_instead_of_building_one_each() -> None:
    # Building a converter compiles a hook per model (about 8 ms): a Client per job paid it.
    first = Client(subdomain="acme", email="a@example.com", api_token="t")
    second = Client(subdomain="other", email="b@example.com", api_token="u")
    assert first._api.converter is second._api.converter
    assert first._api.converter is not make_converter()  # a fresh one is still a fresh one
