"""
Auth as one strategy per scheme: the header each static scheme sends and what its 401 says.
(Refreshing OAuth, whose token requests are requests like any other, is in test_oauth.py.)
"""

from __future__ import annotations

import base64
import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

import zendesk_ivr
from zendesk_ivr import Client, ConfigurationError
from zendesk_ivr._core.auth.base import Auth, Authorization
from zendesk_ivr._core.auth.credentials import credentials_for
from zendesk_ivr.testing import FakeZendesk


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _warns_if_password(settings: dict[str, Any]) -> contextlib.AbstractContextManager[Any]:
    if settings.get("password") is None:
        return contextlib.nullcontext()
    return pytest.warns(DeprecationWarning, match="no longer accepts email \\+ password")


def _static(**given: Any) -> Auth:
    settings: dict[str, Any] = {"email": None, "api_token": None, "password": None}
    settings["oauth_token"] = None
    settings.update(given)
    with _warns_if_password(settings):
        return credentials_for(**settings)


async def _no_token_endpoint(form: dict[str, str]) -> tuple[int, Any, str | None]:
    raise AssertionError("a static scheme never asks the token endpoint")


def _header(auth: Auth) -> str | None:
    given = auth.authorize(_no_token_endpoint)
    assert isinstance(given, Authorization)  # a static scheme has its header at once
    return given.header


# --- the header of each static scheme --------------------------------------------------------


def test_credentials_for_api_token_is_basic_email_slash_token() -> None:
    creds = _static(email="agent@example.com", api_token="s3cr3t")
    assert _header(creds) == "Basic " + _b64("agent@example.com/token:s3cr3t")
    assert creds.scheme == "api_token"


def test_credentials_for_api_token_matches_a_known_encoding() -> None:
    assert _header(_static(email="a@b.c", api_token="tok")) == "Basic YUBiLmMvdG9rZW46dG9r"


def test_credentials_for_password_is_basic_email_colon_password() -> None:
    creds = _static(email="agent@example.com", password="pa:ss wörd")
    assert _header(creds) == "Basic " + _b64("agent@example.com:pa:ss wörd")
    assert creds.scheme == "password"


def test_credentials_for_oauth_is_a_bearer_token() -> None:
    creds = _static(oauth_token="tok")
    assert _header(creds) == "Bearer tok"
    assert creds.scheme == "oauth_token"


@pytest.mark.parametrize(
    "given",
    [
        {},
        {"email": "a@b.c"},
        {"api_token": "tok"},
        {"password": "pw"},
        {"api_token": "tok", "password": "pw"},
        {"email": "a@b.c", "api_token": "tok", "password": "pw"},
        {"oauth_token": "tok", "email": "a@b.c"},
        {"oauth_token": "tok", "api_token": "tok"},
        {"oauth_token": "tok", "email": "a@b.c", "api_token": "tok"},
        {"oauth_token": "tok", "email": "a@b.c", "password": "pw"},
        {"oauth_token": "tok", "email": "a@b.c", "api_token": "tok", "password": "pw"},
        {"email": "", "api_token": "tok"},
        {"email": "a@b.c", "api_token": ""},
        {"email": "a@b.c", "password": ""},
        {"oauth_token": ""},
        {"oauth_token": "   "},
        {"email": "  ", "password": "pw"},
        {"email": "a@b.c", "api_token": 123},
        {"oauth_token": b"tok"},
    ],
)
def test_credentials_for_refuses_every_bad_combination(given: dict[str, object]) -> None:
    kwargs: dict[str, Any] = {"email": None, "api_token": None, "password": None}
    kwargs["oauth_token"] = None
    kwargs.update(given)
    with pytest.raises(ConfigurationError):
        credentials_for(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "secret"),
    [
        ({"email": "a@b.c", "api_token": "TOKEN-xyz"}, "TOKEN-xyz"),
        ({"email": "a@b.c", "password": "PASSWORD-xyz"}, "PASSWORD-xyz"),
        ({"oauth_token": "OAUTH-xyz"}, "OAUTH-xyz"),
    ],
)
def test_credentials_repr_never_contains_the_secret(kwargs: dict[str, str], secret: str) -> None:
    creds = _static(**kwargs)
    given = creds.authorize(_no_token_endpoint)
    header = _header(creds)
    assert header is not None
    for shown in (creds, given):
        for text in (repr(shown), str(shown), f"{shown}", repr([shown])):
            assert secret not in text
            assert header not in text
            assert _b64(secret) not in text
    assert creds.scheme in repr(creds)


# --- one 401 rule, each scheme's answer ---------------------------------------------------------


@contextlib.contextmanager
def _client_settings(fake: FakeZendesk, scheme: str) -> Iterator[dict[str, Any]]:
    settings: dict[str, Any] = {
        "api_token": {"email": fake.email, "api_token": fake.api_token},
        "password": {"email": fake.email, "password": fake.password},
        "oauth_token": {"oauth_token": fake.oauth_token},
    }[scheme]
    with _warns_if_password(settings):
        yield settings


@pytest.mark.parametrize("scheme", ["api_token", "password", "oauth_token"])
async def test_a_static_scheme_sends_once_and_raises_its_401(
    zendesk_fake: FakeZendesk, scheme: str
) -> None:
    zendesk_fake.fail_next(401)
    with _client_settings(zendesk_fake, scheme) as settings:
        client = Client(base_url=zendesk_fake.url, **settings)
    async with client:
        with pytest.raises(zendesk_ivr.AuthenticationError) as info:
            await client.ivrs.get(1)

    assert len(zendesk_fake.requests) == 1
    retired = "no longer accepts email + password" in str(info.value)
    assert retired == (scheme == "password")
