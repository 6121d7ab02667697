"""`Client`: the async session manager users open once and share between tasks."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

import aiohttp
from yarl import URL

from ._core.auth.base import Auth
from ._core.auth.credentials import credentials_for
from ._core.auth.oauth import OAuth, TokenFileStore
from ._core.pacing.limiter import RateLimiter
from ._core.pacing.retry import RetryPolicy
from ._core.reading.serde import shared_converter
from ._core.requester import Requester
from ._core.settings import check_number
from ._core.wire import urls
from ._core.wire.observe import Attempt
from ._core.wire.paging import DEFAULT_MAX_PAGES
from ._core.wire.transport import DEFAULT_MAX_BODY_SIZE, Transport
from ._exceptions import ConfigurationError
from ._models import IvrTree
from ._resources import (
    GreetingsResource,
    GroupsResource,
    IvrsResource,
    MenusResource,
    PhoneNumbersResource,
    RoutesResource,
)
from ._version import __version__
from ._walk import walk

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
        email, password: Basic auth as ``{email}:{password}``; deprecated, and emits a
            DeprecationWarning: Zendesk turned password access off for API calls in every
            account between 12 and 22 January 2026.
        oauth_token: a Bearer token that does not expire.
        oauth: an `OAuth` that refreshes expiring tokens itself (instead of the above).
        session: an aiohttp session to use instead of the client's own.
        timeout: seconds one attempt may take, or None for no limit.
        max_retries: retries after a failed attempt (0: none). 429 and 503 with Retry-After
            are retried for every method, other 5xx, timeouts and dropped connections only for
            GET, PUT and DELETE, and a POST only if its connection failed before sending.
        max_concurrency: requests in flight at once, across every task using the client.
        rate_limiter: a `RateLimiter` to share between clients of one account; by default the
            client has its own, which learns the plan limit from the server's headers.
        deadline: seconds one call may take across all its attempts and waits, or None.
        max_retry_after: the longest Retry-After waited out; a longer one raises at once.
        wait_on_rate_limit: False raises `RateLimited` at once instead of waiting (for job
            queues that reschedule work themselves).
        backoff_base, backoff_max: exponential backoff with full jitter, in seconds.
        max_body_size: bytes a response body may have once decoded (gzip included); a larger
            one is refused, read no further than the cap.
        max_pages: pages one listing (or walk) may read; a listing that does not end by then
            raises `PaginationError`, as does a ``next_page`` back to a page already read.
        on_attempt: called with an `Attempt` after every HTTP attempt (export metrics here).
        trace_configs: aiohttp trace configs for the client's own session.
        user_agent: the User-Agent header.
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
        oauth: OAuth | None = None,
        timeout: float | None = 30.0,
        max_retries: int = 3,
        max_concurrency: int = 16,
        rate_limiter: RateLimiter | None = None,
        deadline: float | None = 600.0,
        max_retry_after: float = 300.0,
        wait_on_rate_limit: bool = True,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        max_pages: int = DEFAULT_MAX_PAGES,
        on_attempt: Callable[[Attempt], None] | None = None,
        trace_configs: Sequence[aiohttp.TraceConfig] = (),
        user_agent: str | None = None,
    ) -> None:
        site = urls.base_url_for(subdomain, base_url)
        auth: Auth
        if oauth is not None:
            if not isinstance(oauth, OAuth):
                raise ConfigurationError("oauth must be a zendesk_ivr.OAuth")
            if any(v is not None for v in (email, api_token, password, oauth_token)):
                raise ConfigurationError(
                    "oauth= replaces the other credentials: pass it alone, without email, "
                    "api_token, password or oauth_token"
                )
            auth = oauth
        else:
            auth = credentials_for(
                email=email, api_token=api_token, password=password, oauth_token=oauth_token
            )
        if site.scheme != "https" and not urls.is_loopback(site):
            raise ConfigurationError(
                f"refusing to send credentials over plain http to {site.host}; use https "
                "(plain http is allowed only to a loopback host such as the fake server)"
            )
        check_number("timeout", timeout, none_ok=True)
        check_number("max_body_size", max_body_size, integer=True)
        check_number("max_pages", max_pages, integer=True)
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise ConfigurationError("session must be an aiohttp.ClientSession")
        if session is not None and trace_configs:
            raise ConfigurationError("trace_configs apply to the client's own session only")
        check_number("max_concurrency", max_concurrency, integer=True)
        if rate_limiter is not None and not isinstance(rate_limiter, RateLimiter):
            raise ConfigurationError("rate_limiter must be a zendesk_ivr.RateLimiter")
        policy = RetryPolicy(
            max_retries=max_retries,
            backoff_base=backoff_base,
            backoff_max=backoff_max,
            max_retry_after=max_retry_after,
            deadline=deadline,
            wait_on_rate_limit=wait_on_rate_limit,
        )
        headers = {
            "Accept": "application/json",
            "User-Agent": user_agent or f"zendesk-ivr/{__version__} aiohttp/{aiohttp.__version__}",
        }
        transport = Transport(
            session=session,
            headers=headers,
            timeout=timeout,
            max_body_size=max_body_size,
            trace_configs=trace_configs,
            scrub=auth.scrub,
        )
        self._api = Requester(
            transport=transport,
            converter=shared_converter(),
            site=site,
            policy=policy,
            limiter=rate_limiter if rate_limiter is not None else RateLimiter(),
            max_concurrency=max_concurrency,
            on_attempt=on_attempt,
            auth=auth,
            max_pages=max_pages,
        )
        self._ivrs = IvrsResource(self._api)
        self._menus = MenusResource(self._api)
        self._routes = RoutesResource(self._api)
        self._groups = GroupsResource(self._api)
        self._greetings = GreetingsResource(self._api)
        self._phone_numbers = PhoneNumbersResource(self._api)

    # The resources are properties rather than plain attributes so help(Client) lists them.

    @property
    def ivrs(self) -> IvrsResource:
        """IVRs: ``list()``, ``pages()``, ``get``, ``create``, ``update``, ``delete``."""
        return self._ivrs

    @property
    def menus(self) -> MenusResource:
        """The menus of an IVR: ``list(ivr_id)``, ``get``, ``create``, ``update``, ``delete``."""
        return self._menus

    @property
    def routes(self) -> RoutesResource:
        """The routes of a menu: ``list(ivr_id, menu_id)``, ``get``, ``create``, ``update``..."""
        return self._routes

    @property
    def groups(self) -> GroupsResource:
        """The account's Support groups, ``list()`` only (what group routes ring)."""
        return self._groups

    @property
    def greetings(self) -> GreetingsResource:
        """The account's Talk greetings, ``list()`` only (what menus play)."""
        return self._greetings

    @property
    def phone_numbers(self) -> PhoneNumbersResource:
        """The account's Talk phone numbers, ``list()`` only (what IVRs answer on)."""
        return self._phone_numbers

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        token_file: str | os.PathLike[str] | None = None,
        **overrides: Any,
    ) -> Self:
        """
        A client configured from ``ZENDESK_SUBDOMAIN``, ``ZENDESK_BASE_URL``, ``ZENDESK_EMAIL``,
        ``ZENDESK_API_TOKEN``, ``ZENDESK_PASSWORD`` and ``ZENDESK_OAUTH_TOKEN``; empty variables
        count as unset, and keyword *overrides* win over the environment. A client built from
        ``ZENDESK_PASSWORD`` emits a DeprecationWarning, as ``password=`` does.

        With ``ZENDESK_OAUTH_CLIENT_ID`` set, the client uses refreshing `OAuth` instead: the
        refresh grant with ``ZENDESK_OAUTH_REFRESH_TOKEN`` (``ZENDESK_OAUTH_TOKEN``, if set, is
        the current access token), or the client credentials grant when only
        ``ZENDESK_OAUTH_CLIENT_SECRET`` is given. *token_file* (or
        ``ZENDESK_OAUTH_TOKEN_FILE``) keeps rotated tokens across runs.
        """
        env = os.environ if environ is None else environ

        def var(name: str) -> str | None:
            return env.get(name, "").strip() or None

        settings: dict[str, Any] = {
            name: value for name, env_name in _ENV_VARS.items() if (value := var(env_name))
        }
        client_id = var("ZENDESK_OAUTH_CLIENT_ID")
        if client_id and "oauth" not in overrides:
            settings["oauth"] = _oauth_from_env(
                client_id=client_id,
                client_secret=var("ZENDESK_OAUTH_CLIENT_SECRET"),
                refresh_token=var("ZENDESK_OAUTH_REFRESH_TOKEN"),
                access_token=settings.pop("oauth_token", None),
                token_file=token_file or var("ZENDESK_OAUTH_TOKEN_FILE"),
            )
        settings.update(overrides)
        return cls(**settings)

    async def walk(self, *, ivr_ids: Iterable[int] | None = None) -> IvrTree:
        """
        Read every IVR of the account with its menus and routes, in as few requests as the
        API allows (one per 100 IVRs when the listing embeds menus and routes, as it does).

        With *ivr_ids*, read just those IVRs (one request each, concurrently), completed the
        same way: where a response lacks a menu's routes, they are listed, never assumed empty.
        """
        return await walk(self._api, None if ivr_ids is None else list(ivr_ids))

    @property
    def base_url(self) -> URL:
        """The site root every request goes to."""
        return self._api.site

    @property
    def requests_sent(self) -> int:
        """How many HTTP requests this client has sent so far."""
        return self._api.requests_sent

    @property
    def rate_limiter(self) -> RateLimiter:
        """The limiter this client spends its requests through (pass it to share it)."""
        return self._api.limiter

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry settings this client was built with."""
        return self._api.policy

    @property
    def in_flight(self) -> int:
        """Requests being sent or read right now."""
        return self._api.in_flight

    @property
    def closed(self) -> bool:
        """True once `aclose` has run: further calls raise `ClientClosed`."""
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
        return f"<zendesk_ivr.Client {self._api.site} auth={self._api.auth.scheme}>"


def _oauth_from_env(
    *,
    client_id: str,
    client_secret: str | None,
    refresh_token: str | None,
    access_token: str | None,
    token_file: str | os.PathLike[str] | None,
) -> OAuth:
    if token_file is not None:
        store = TokenFileStore(token_file)
        if store.load() is not None or refresh_token:
            return OAuth.from_store(
                store, client_id=client_id, client_secret=client_secret, refresh_token=refresh_token
            )
        if client_secret:
            return OAuth(
                client_id=client_id,
                client_secret=client_secret,
                grant="client_credentials",
                on_refresh=store.save,
            )
    elif refresh_token:
        return OAuth(
            client_id=client_id,
            client_secret=client_secret,
            refresh_token=refresh_token,
            access_token=access_token,
        )
    elif client_secret:
        return OAuth.client_credentials(client_id, client_secret)
    raise ConfigurationError(
        "ZENDESK_OAUTH_CLIENT_ID needs ZENDESK_OAUTH_REFRESH_TOKEN (or a token file holding "
        "tokens), or ZENDESK_OAUTH_CLIENT_SECRET for the client credentials grant"
    )
