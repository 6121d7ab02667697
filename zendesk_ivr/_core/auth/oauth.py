"""
OAuth that keeps working: expiring access tokens, refresh-token rotation, client credentials.

Zendesk's refresh grant returns a new access token *and* a new refresh token, and deletes the old
pair. Two rules follow, and `OAuth` keeps both:

- exactly one refresh is in flight per `OAuth` object; every other task that needs a token waits
  for that refresh's result (a second refresh would spend a refresh token that is already dead);
- every new pair reaches ``on_refresh`` (sync or async) before the new access token is used, so
  the caller can store it; `TokenFileStore` does that atomically, with mode 0600.

A refresh that fails (refresh token expired or revoked) raises `AuthenticationError` once, for
every task waiting on it, and is not tried again with the same dead token.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import math
import os
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any, Literal

from attrs import frozen

from ..._exceptions import APIError, AuthenticationError, ConfigurationError, DecodeError
from ..._files import write_atomically
from ..reading import jsontext
from ..reading.responses import str_or_none
from .base import Auth, Authorization, TokenEndpoint
from .credentials import header_safe

logger = logging.getLogger("zendesk_ivr")

TokenCallback = Callable[["OAuthTokens"], "Awaitable[None] | None"]
Grant = Literal["refresh_token", "client_credentials"]


@frozen(repr=False)
class OAuthTokens:
    """
    One token pair as the token endpoint returned it.

    ``expires_at`` is a Unix time (None: the server gave no expiry); ``refresh_token`` is None for
    the client credentials grant, which has none.
    """

    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None
    scope: str | None = None

    def __repr__(self) -> str:
        expiry = "never" if self.expires_at is None else f"{self.expires_at:.0f}"
        refresh = "yes" if self.refresh_token else "no"
        return f"<OAuthTokens (redacted) expires_at={expiry} refresh_token={refresh}>"

    def expires_within(self, seconds: float, now: float) -> bool:
        return self.expires_at is not None and self.expires_at - now <= seconds

    def to_json(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
            "scope": self.scope,
        }

    @classmethod
    def from_json(cls, data: Any) -> OAuthTokens:
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            raise ConfigurationError("stored OAuth tokens are not a JSON object with access_token")
        expires_at = data.get("expires_at")
        return cls(
            access_token=data["access_token"],
            refresh_token=str_or_none(data.get("refresh_token")) or None,
            expires_at=float(expires_at) if isinstance(expires_at, int | float) else None,
            scope=str_or_none(data.get("scope")) or None,
        )


class OAuth(Auth):
    """
    OAuth credentials that refresh themselves; pass as ``Client(oauth=...)``.

    Args:
        client_id, client_secret: the OAuth client registered in Zendesk.
        access_token, refresh_token, expires_at: the pair you hold (from the authorization-code
            flow or a store); with no access token the first request refreshes first.
        scope: sent with grants that take one.
        on_refresh: called (sync or async) with every new `OAuthTokens` before it is used.
        refresh_margin: refresh this many seconds before the access token expires.
        grant: "refresh_token" (the default when a refresh token is given) or
            "client_credentials" (a confidential client getting its own tokens).
        clock: Unix time, replaceable in tests.
    """

    scheme = "oauth"

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str | None = None,
        access_token: str | None = None,
        refresh_token: str | None = None,
        expires_at: float | None = None,
        scope: str | None = None,
        on_refresh: TokenCallback | None = None,
        refresh_margin: float = 60.0,
        grant: Grant | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        for name, value in (("client_id", client_id), ("client_secret", client_secret)):
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ConfigurationError(f"{name} must be a non-empty string")
        if grant is None:
            grant = "refresh_token" if refresh_token else "client_credentials"
        if grant not in ("refresh_token", "client_credentials"):
            raise ConfigurationError(
                f"grant must be refresh_token or client_credentials: {grant!r}"
            )
        if grant == "refresh_token" and not refresh_token:
            raise ConfigurationError("the refresh_token grant needs refresh_token=")
        if grant == "client_credentials" and not client_secret:
            raise ConfigurationError("the client_credentials grant needs client_secret=")
        if access_token is not None and not access_token.strip():
            raise ConfigurationError("access_token must be a non-empty string")
        if access_token is not None and not header_safe(access_token):
            raise ConfigurationError("access_token holds a line break or other control character")
        self.client_id = client_id
        self._client_secret = client_secret
        self._scope = scope
        self._grant: Grant = grant
        self._on_refresh = on_refresh
        self._margin = refresh_margin
        self._clock = clock
        self._tokens: OAuthTokens | None = None
        # Seconds the token endpoint said the current access token lives (None: not known).
        self._lifetime: float | None = None
        if access_token:
            self._tokens = OAuthTokens(access_token, refresh_token, expires_at, scope)
        self._refresh_token = refresh_token
        # The pair before the last rotation: a request sent with it may still be answered.
        self._previous: OAuthTokens | None = None
        self._lock = asyncio.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._failure: tuple[OAuthTokens | None, AuthenticationError] | None = None
        self.refreshes = 0

    @classmethod
    def client_credentials(
        cls,
        client_id: str,
        client_secret: str,
        *,
        scope: str | None = "read write",
        on_refresh: TokenCallback | None = None,
    ) -> OAuth:
        """Credentials for a confidential client that gets its own tokens, no person needed."""
        return cls(
            client_id=client_id,
            client_secret=client_secret,
            scope=scope,
            on_refresh=on_refresh,
            grant="client_credentials",
        )

    @classmethod
    def from_store(
        cls,
        store: TokenFileStore,
        *,
        client_id: str,
        client_secret: str | None = None,
        refresh_token: str | None = None,
        **kwargs: Any,
    ) -> OAuth:
        """
        Credentials that start from *store* (falling back to *refresh_token* when it is empty)
        and save every rotation to it before the new tokens are used.
        """
        saved = store.load()
        if saved is not None:
            return cls(
                client_id=client_id,
                client_secret=client_secret,
                access_token=saved.access_token,
                refresh_token=saved.refresh_token or refresh_token,
                expires_at=saved.expires_at,
                scope=saved.scope,
                on_refresh=store.save,
                **kwargs,
            )
        return cls(
            client_id=client_id,
            client_secret=client_secret,
            refresh_token=refresh_token,
            on_refresh=store.save,
            **kwargs,
        )

    @property
    def tokens(self) -> OAuthTokens | None:
        """The pair in use (None before the first grant)."""
        return self._tokens

    def __repr__(self) -> str:
        return f"<OAuth client_id={self.client_id!r} grant={self._grant} (secrets redacted)>"

    def authorize(self, tokens: TokenEndpoint) -> Authorization | Awaitable[Authorization]:
        """The access token for the next request, or a refresh first when one is due."""
        held = self._tokens
        if held is None or held.expires_within(self._refresh_margin(), self._clock()):
            return self._refreshed(held, tokens)
        return Authorization(f"Bearer {held.access_token}", self.refreshes)

    async def _refreshed(self, stale: OAuthTokens | None, tokens: TokenEndpoint) -> Authorization:
        await self._refresh(stale, tokens)
        held = self._tokens
        assert held is not None  # _refresh either set tokens or raised
        return Authorization(f"Bearer {held.access_token}", self.refreshes)

    def _refresh_margin(self) -> float:
        """
        How long before expiry to refresh: ``refresh_margin``, but never more than half the
        token's lifetime, or a token that lives less than the margin would be refreshed for
        every request.
        """
        if self._lifetime is None:
            return self._margin
        return min(self._margin, self._lifetime / 2)

    async def renew(self, used: Authorization, tokens: TokenEndpoint) -> bool:
        """An expired or revoked access token: refresh (unless done since *used*), send again."""
        if used.generation == self.refreshes:
            await self._refresh(self._tokens, tokens)
        return True

    def _secrets(self) -> Iterable[str]:
        held = [self._client_secret, self._refresh_token]
        for pair in (self._tokens, self._previous):
            if pair is not None:
                held += [pair.access_token, pair.refresh_token]
        return [secret for secret in held if secret]

    async def _refresh(self, stale: OAuthTokens | None, tokens: TokenEndpoint) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # credentials may outlive a loop; the lock may not
            self._loop, self._lock = loop, asyncio.Lock()
        async with self._lock:
            if self._tokens is not stale:
                return  # another task refreshed while this one waited
            if self._failure is not None and self._failure[0] is stale:
                raise self._failure[1]  # the same dead token: fail again, do not ask again
            try:
                now = self._clock()
                fresh = await self._grant_tokens(tokens, now)
            except AuthenticationError as exc:
                self._failure = (stale, exc)
                raise
            try:
                # The old pair is dead now: the new one must be stored before anything uses it,
                # so the tokens are swapped in only once the callback is done.
                if self._on_refresh is not None:
                    outcome = self._on_refresh(fresh)
                    if inspect.isawaitable(outcome):
                        await outcome
            except Exception as exc:
                # Loud, because the next start cannot log in with a pair that was not stored;
                # no traceback, since the callback's frames hold the tokens.
                logger.error(
                    "OAuth tokens for client %s were rotated but on_refresh failed (%s): "
                    "store them, or a new authorization will be needed after this process ends",
                    self.client_id,
                    type(exc).__name__,
                )
                raise
            finally:
                # Even when storing failed, the old pair is gone: keep working with the new one
                # (the caller still sees the callback's error).
                self._previous, self._tokens = self._tokens, fresh
                self._lifetime = None if fresh.expires_at is None else fresh.expires_at - now
                self.refreshes += 1
                if fresh.refresh_token:
                    self._refresh_token = fresh.refresh_token

    async def _grant_tokens(self, tokens: TokenEndpoint, now: float) -> OAuthTokens:
        form = {"grant_type": self._grant, "client_id": self.client_id}
        if self._client_secret:
            form["client_secret"] = self._client_secret
        if self._grant == "refresh_token":
            assert self._refresh_token is not None
            form["refresh_token"] = self._refresh_token
        if self._scope:
            form["scope"] = self._scope
        try:
            status, body, request_id = await tokens(form)
        except APIError as exc:
            raise self._refused(exc.status, exc.request_id, error=exc.error) from None
        except DecodeError as exc:
            raise self._refused(
                exc.status, exc.request_id, problem="a body that is not JSON"
            ) from None
        access = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(access, str) or not access:
            raise self._refused(status, request_id, problem="no access_token")
        if not header_safe(access):
            raise self._refused(
                status, request_id, problem="an access_token with control characters"
            )
        expires_in = body.get("expires_in")
        expires_at = None
        # A lifetime of 0 or less (or NaN) says nothing usable about when to refresh: the token
        # is used until the server refuses it, and the 401 then refreshes once.
        if (
            isinstance(expires_in, int | float)
            and not isinstance(expires_in, bool)
            and 0 < expires_in < math.inf
        ):
            expires_at = now + float(expires_in)
        logger.info("OAuth tokens refreshed for client %s", self.client_id)
        return OAuthTokens(
            access_token=access,
            refresh_token=str_or_none(body.get("refresh_token")) or self._refresh_token_if_kept(),
            expires_at=expires_at,
            scope=str_or_none(body.get("scope")) or self._scope,
        )

    def _refresh_token_if_kept(self) -> str | None:
        # The client credentials grant returns no refresh token; a refresh grant always does.
        return None if self._grant == "client_credentials" else self._refresh_token

    def _refused(
        self,
        status: int,
        request_id: str | None,
        *,
        error: str | None = None,
        problem: str | None = None,
    ) -> AuthenticationError:
        """
        Why the grant failed: the *error* code of the server's refusal (from an `APIError`, so
        scrubbed of secrets already), or a *problem* with its 2xx answer.
        """
        # A 2xx answer's request id reached no error yet: scrubbed here, as every one is.
        request_id = None if request_id is None else self.scrub(request_id)
        detail = f" ({error})" if error else ""
        if problem is not None:
            detail = f": the token endpoint sent {problem}"
        action = (
            "a new authorization is needed"
            if self._grant == "refresh_token"
            else "check the OAuth client id and secret"
        )
        return AuthenticationError(
            f"OAuth {self._grant} grant refused with status {status}{detail}: {action}",
            status=status,
            method="POST",
            url="/oauth/tokens",
            error=error,
            description=action,
            request_id=request_id,
        )


class TokenFileStore:
    """
    OAuth tokens in a JSON file, written atomically (a temporary file, fsync, rename) with mode
    0600; a crash mid-write leaves the previous tokens in place.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()

    def __repr__(self) -> str:
        return f"<TokenFileStore {self.path}>"

    def load(self) -> OAuthTokens | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            return OAuthTokens.from_json(jsontext.loads(text))
        except ValueError as exc:
            raise ConfigurationError(f"{self.path} does not hold OAuth tokens: {exc}") from None

    def save(self, tokens: OAuthTokens) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, json.dumps(tokens.to_json()), mode=0o600)


__all__ = ["OAuth", "OAuthTokens", "TokenFileStore"]
