"""`Client`: the async session manager users open once and share between tasks."""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

import aiohttp
from yarl import URL

from . import _protocol
from ._api import Api
from ._exceptions import ConfigurationError
from ._http import DEFAULT_MAX_BODY_SIZE, Transport
from ._resources import IvrsResource, MenusResource, RoutesResource
from ._serde import make_converter
from ._version import __version__

_ENV_VARS = {
    "subdomain": "ZENDESK_SUBDOMAIN",
    "base_url": "ZENDESK_BASE_URL",
    "email": "ZENDESK_EMAIL",
    "api_token": "ZENDESK_API_TOKEN",
    "password": "ZENDESK_PASSWORD",
    "oauth_token": "ZENDESK_OAUTH_TOKEN",
}


class Client:
    """
    An async client for the Zendesk Talk IVR API.

    Use it as ``async with Client(...) as client:`` (or call `aclose`). It owns one aiohttp
    session, made on first use, that every request and every task shares; a *session* passed in
    is used as is and never closed.

    Args:
        subdomain: ``"acme"`` for ``https://acme.zendesk.com``.
        base_url: the site root instead (a fake server, a proxy); wins over *subdomain*.
        email, api_token: Basic auth as ``{email}/token:{api_token}``.
        email, password: Basic auth as ``{email}:{password}``.
        oauth_token: a Bearer token.
        session: an aiohttp session to use instead of the client's own.
        timeout: seconds one request may take, or None for no limit.
        max_body_size: bytes a response may have; a larger one is refused, not read.
    """

    def __init__(
        self,
        *,
        subdomain: str | None = None,
        base_url: str | URL | None = None,
        email: str | None = None,
        api_token: str | None = None,
        password: str | None = None,
        oauth_token: str | None = None,
        session: aiohttp.ClientSession | None = None,
        timeout: float | None = 30.0,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        user_agent: str | None = None,
    ) -> None:
        site = _protocol.base_url_for(subdomain, base_url)
        credentials = _protocol.credentials_for(
            email=email, api_token=api_token, password=password, oauth_token=oauth_token
        )
        if site.scheme != "https" and not _protocol.is_loopback(site):
            raise ConfigurationError(
                f"refusing to send credentials over plain http to {site.host}; use https "
                "(plain http is allowed only to a loopback host such as the fake server)"
            )
        if timeout is not None:
            _require_positive("timeout", timeout)
        _require_positive("max_body_size", max_body_size, integer=True)
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise ConfigurationError("session must be an aiohttp.ClientSession")
        self._credentials = credentials
        headers = {
            "Authorization": credentials.header,
            "Accept": "application/json",
            "User-Agent": user_agent or f"zendesk-ivr/{__version__} aiohttp/{aiohttp.__version__}",
        }
        transport = Transport(
            session=session, headers=headers, timeout=timeout, max_body_size=max_body_size
        )
        self._api = Api(transport=transport, converter=make_converter(), site=site)
        self.ivrs = IvrsResource(self._api)
        self.menus = MenusResource(self._api)
        self.routes = RoutesResource(self._api)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Self:
        """
        A client configured from ``ZENDESK_SUBDOMAIN``, ``ZENDESK_BASE_URL``, ``ZENDESK_EMAIL``,
        ``ZENDESK_API_TOKEN``, ``ZENDESK_PASSWORD`` and ``ZENDESK_OAUTH_TOKEN``; empty variables
        count as unset, and keyword *overrides* win over the environment.
        """
        env = os.environ if environ is None else environ
        settings: dict[str, Any] = {
            name: value for name, var in _ENV_VARS.items() if (value := env.get(var, "").strip())
        }
        settings.update(overrides)
        return cls(**settings)

    @property
    def base_url(self) -> URL:
        """The site root every request goes to."""
        return self._api.site

    @property
    def requests_sent(self) -> int:
        """How many HTTP requests this client has sent so far."""
        return self._api.requests_sent

    @property
    def closed(self) -> bool:
        return self._api.transport.closed

    async def aclose(self) -> None:
        """Close the client's own session (never a caller's); safe to call twice."""
        await self._api.transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<zendesk_ivr.Client {self._api.site} auth={self._credentials.scheme}>"


def _require_positive(name: str, value: object, *, integer: bool = False) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (integer and not isinstance(value, int))
        or not value > 0  # also refuses NaN
    ):
        kind = "integer" if integer else "number"
        raise ConfigurationError(f"{name} must be a positive {kind}, got {value!r}")
