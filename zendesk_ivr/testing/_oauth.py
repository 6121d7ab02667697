"""
The fake's OAuth authorization server, kept free of aiohttp and I/O.

It registers OAuth clients, answers the token endpoint's refresh-token and
client-credentials grants, and tells the pipeline whether a bearer token is an
access token it issued that is still alive. Times are passed in as plain
monotonic readings, as for the rate limiter, and the fake's token clock is such a
reading plus an offset that `OAuthServer.advance_clock` grows, so a test can
expire tokens without waiting.

The error bodies are those of Doorkeeper, the Rails OAuth server Zendesk's
``/oauth/tokens`` answers with.
"""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Mapping
from typing import Any, Final, Literal
from urllib.parse import parse_qsl

import attrs

JSONObject = dict[str, Any]

#: Where the token endpoint lives; ``.json`` may be appended, as everywhere in Zendesk.
TOKEN_PATH: Final = "/oauth/tokens"
DEFAULT_SCOPE: Final = "read write"
#: Two hours, as in Zendesk's token response examples.
DEFAULT_ACCESS_TOKEN_TTL: Final = 7200.0
#: Thirty days.
DEFAULT_REFRESH_TOKEN_TTL: Final = 2_592_000.0
REFRESH_TOKEN: Final = "refresh_token"
CLIENT_CREDENTIALS: Final = "client_credentials"

INVALID_CLIENT: Final = (
    "Client authentication failed due to unknown client, no client authentication "
    "included, or unsupported authentication method."
)
INVALID_GRANT: Final = (
    "The provided authorization grant is invalid, expired, revoked, does not match the "
    "redirection URI used in the authorization request, or was issued to another client."
)
UNSUPPORTED_GRANT_TYPE: Final = (
    "The authorization grant type is not supported by the authorization server."
)
INVALID_REQUEST: Final = (
    "The request is missing a required parameter, includes an unsupported parameter "
    "value, or is otherwise malformed."
)
INVALID_SCOPE: Final = "The requested scope is invalid, unknown, or malformed."
INVALID_TOKEN: Final = (
    "The access token provided is expired, revoked, malformed, or invalid for other reasons."
)

#: What the pipeline does with an Authorization header: let it through, answer
#: ``invalid_token`` (a token this server issued that has since died), or refuse it
#: as credentials the fake never knew.
BearerCheck = Literal["valid", "invalid_token", "unknown"]


class OAuthError(Exception):
    """An OAuth error response; the web layer serialises `body` as JSON."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(status, error, description)
        self.status = status
        self.error = error
        self.description = description

    @property
    def body(self) -> JSONObject:
        return {"error": self.error, "error_description": self.description}


def _invalid_request(description: str = INVALID_REQUEST) -> OAuthError:
    return OAuthError(400, "invalid_request", description)


@attrs.frozen
class OAuthGrant:
    """
    One request to the token endpoint, as the fake judged it.

    *grant_type* and *client_id* are None when the request didn't carry them as
    strings; *error* is the OAuth error code sent back, None when *ok*.
    """

    grant_type: str | None
    client_id: str | None
    ok: bool
    error: str | None


@attrs.define(eq=False)
class _Pair:
    """
    An access token and the refresh token issued with it, which live and die together.

    Dead pairs are kept rather than forgotten, so a token that once worked is told
    apart from one the fake never issued: only the first gets ``invalid_token``.
    """

    client_id: str
    scope: str
    access_token: str
    access_expires_at: float
    refresh_token: str | None
    refresh_expires_at: float | None
    alive: bool = True

    def access_alive(self, now: float) -> bool:
        return self.alive and now < self.access_expires_at

    def refresh_alive(self, now: float) -> bool:
        if not self.alive or self.refresh_token is None:
            return False
        return self.refresh_expires_at is None or now < self.refresh_expires_at


def _seconds(value: float) -> float | int:
    # Whole seconds go out as JSON integers, as Zendesk sends them.
    # float() first: an int passes for a float in type checks but lacks is_integer before 3.12.
    return int(value) if float(value).is_integer() else value


def check_ttl(name: str, seconds: float) -> float:
    """*seconds* as a float, or ValueError when it is negative or not finite."""
    if not math.isfinite(seconds) or seconds < 0:
        msg = f"{name} must be a finite number of seconds, 0 or more, got {seconds}"
        raise ValueError(msg)
    return float(seconds)


def bearer_token(authorization: str | None) -> str | None:
    """The token of a ``Bearer`` Authorization header, or None for any other header."""
    if authorization is None:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def parse_token_request(body: bytes, content_type: str) -> dict[str, object]:
    """
    Read the token endpoint's parameters from a JSON or form-encoded body.

    Zendesk's docs send JSON while OAuth libraries send forms, so both are read;
    a body labelled neither way is read as JSON when it looks like an object. A
    repeated form parameter takes its last value, as in Rails.
    """
    if "json" in content_type or (
        "x-www-form-urlencoded" not in content_type and body.lstrip().startswith(b"{")
    ):
        try:
            data = json.loads(body)
        except ValueError:
            raise _invalid_request() from None
        if not isinstance(data, dict):
            raise _invalid_request()
        return data
    try:
        text = body.decode()
    except UnicodeDecodeError:
        raise _invalid_request() from None
    return dict(parse_qsl(text, keep_blank_values=True))


def _text(params: Mapping[str, object], name: str) -> str | None:
    value = params.get(name)
    return value if isinstance(value, str) else None


def _required(params: Mapping[str, object], name: str) -> str:
    value = params.get(name)
    if value is None or value == "":
        raise _invalid_request(f"Missing required parameter: {name}.")
    if not isinstance(value, str):
        raise _invalid_request()
    return value


def _optional_seconds(params: Mapping[str, object], name: str) -> float | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    # JSON true/false arrive as bool, which Python counts as int.
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise _invalid_request(f"{name} must be a whole number of seconds, 1 or more.")
    return float(value)


def _scope(params: Mapping[str, object], default: str) -> str:
    value = params.get("scope")
    if value is None or value == "":
        return default
    if not isinstance(value, str) or not value.split():
        raise OAuthError(400, "invalid_scope", INVALID_SCOPE)
    return " ".join(value.split())


@attrs.define
class OAuthServer:
    """
    Registered clients and the tokens issued to them.

    A TTL change applies to tokens issued from then on: those already out keep
    the ``expires_in`` they were sent with.
    """

    access_token_ttl: float = DEFAULT_ACCESS_TOKEN_TTL
    #: None: refresh tokens never expire.
    refresh_token_ttl: float | None = DEFAULT_REFRESH_TOKEN_TTL
    #: Seconds the token clock runs ahead of the monotonic clock.
    clock_offset: float = 0.0
    grants: list[OAuthGrant] = attrs.Factory(list)
    # Out of the repr, which pytest prints with any failing FakeZendesk: every token
    # ever issued would bury the rest.
    _clients: dict[str, str] = attrs.field(factory=dict, repr=False)
    _by_access: dict[str, _Pair] = attrs.field(factory=dict, repr=False)
    _by_refresh: dict[str, _Pair] = attrs.field(factory=dict, repr=False)

    def add_client(self, client_id: str, client_secret: str) -> None:
        """Register a client; registering an id again replaces its secret."""
        if not client_id or not client_secret:
            msg = "client_id and client_secret must not be empty"
            raise ValueError(msg)
        self._clients[client_id] = client_secret

    def advance_clock(self, seconds: float) -> None:
        if not math.isfinite(seconds) or seconds < 0:
            msg = f"the clock only moves forward, got {seconds} seconds"
            raise ValueError(msg)
        self.clock_offset += seconds

    def issue(self, client_id: str, scope: str, monotonic: float) -> JSONObject:
        """
        Issue a pair as an authorization-code exchange would; return the token response.

        KeyError when the client isn't registered.
        """
        if client_id not in self._clients:
            msg = f"no OAuth client {client_id!r}; register it with add_oauth_client"
            raise KeyError(msg)
        scope = " ".join(scope.split())
        if not scope:
            msg = "scope must name at least one scope"
            raise ValueError(msg)
        return self._new_pair(client_id, scope, monotonic + self.clock_offset, with_refresh=True)

    def revoke(self, token: str) -> None:
        """
        Kill the pair that *token* (access or refresh) belongs to.

        Revoking a dead token again is harmless; KeyError when the fake never issued it.
        """
        pair = self._by_access.get(token) or self._by_refresh.get(token)
        if pair is None:
            msg = "the fake never issued that token"
            raise KeyError(msg)
        pair.alive = False

    def check_bearer(self, token: str, monotonic: float) -> BearerCheck:
        pair = self._by_access.get(token)
        if pair is None:
            return "unknown"
        return "valid" if pair.access_alive(monotonic + self.clock_offset) else "invalid_token"

    def token_request(self, body: bytes, content_type: str, monotonic: float) -> JSONObject:
        """
        Answer ``POST /oauth/tokens``: the token response, or OAuthError.

        Every call is logged in `grants`, refused ones too. Nothing here awaits,
        so under asyncio a refresh token is spent atomically: of concurrent
        requests presenting it, exactly one gets the new pair.
        """
        params: Mapping[str, object] = {}
        try:
            params = parse_token_request(body, content_type)
            response = self._grant(params, monotonic + self.clock_offset)
        except OAuthError as exc:
            self._log(params, exc.error)
            raise
        self._log(params, None)
        return response

    def _log(self, params: Mapping[str, object], error: str | None) -> None:
        self.grants.append(
            OAuthGrant(
                grant_type=_text(params, "grant_type"),
                client_id=_text(params, "client_id"),
                ok=error is None,
                error=error,
            )
        )

    def _grant(self, params: Mapping[str, object], now: float) -> JSONObject:
        grant_type = params.get("grant_type")
        if grant_type not in (REFRESH_TOKEN, CLIENT_CREDENTIALS):
            raise OAuthError(400, "unsupported_grant_type", UNSUPPORTED_GRANT_TYPE)
        refresh_token = _required(params, REFRESH_TOKEN) if grant_type == REFRESH_TOKEN else None
        client_id = _required(params, "client_id")
        client_secret = _required(params, "client_secret")
        access_ttl = _optional_seconds(params, "expires_in")
        refresh_ttl = _optional_seconds(params, "refresh_token_expires_in")
        # Compared in constant time as a real server would, though nothing here is secret.
        known = self._clients.get(client_id)
        if known is None or not secrets.compare_digest(known, client_secret):
            raise OAuthError(401, "invalid_client", INVALID_CLIENT)
        if refresh_token is None:
            scope = _scope(params, DEFAULT_SCOPE)
            # As in Zendesk, a client acting for itself gets no refresh token: it can
            # simply ask again with its secret.
            return self._new_pair(client_id, scope, now, with_refresh=False, access_ttl=access_ttl)
        old = self._by_refresh.get(refresh_token)
        if old is None or old.client_id != client_id or not old.refresh_alive(now):
            raise OAuthError(400, "invalid_grant", INVALID_GRANT)
        scope = _scope(params, old.scope)
        # A refresh may narrow the scope but never widen it (RFC 6749, section 6).
        if not set(scope.split()) <= set(old.scope.split()):
            raise OAuthError(400, "invalid_scope", INVALID_SCOPE)
        old.alive = False
        return self._new_pair(
            client_id,
            scope,
            now,
            with_refresh=True,
            access_ttl=access_ttl,
            refresh_ttl=refresh_ttl,
        )

    def _new_pair(
        self,
        client_id: str,
        scope: str,
        now: float,
        *,
        with_refresh: bool,
        access_ttl: float | None = None,
        refresh_ttl: float | None = None,
    ) -> JSONObject:
        access_ttl = self.access_token_ttl if access_ttl is None else access_ttl
        if refresh_ttl is None:
            refresh_ttl = self.refresh_token_ttl
        # 64 hex digits, the shape of Zendesk's tokens.
        pair = _Pair(
            client_id=client_id,
            scope=scope,
            access_token=secrets.token_hex(32),
            access_expires_at=now + access_ttl,
            refresh_token=secrets.token_hex(32) if with_refresh else None,
            refresh_expires_at=None if refresh_ttl is None else now + refresh_ttl,
        )
        self._by_access[pair.access_token] = pair
        response: JSONObject = {
            "access_token": pair.access_token,
            "token_type": "bearer",
            "scope": scope,
            "expires_in": _seconds(access_ttl),
        }
        if pair.refresh_token is not None:
            self._by_refresh[pair.refresh_token] = pair
            response["refresh_token"] = pair.refresh_token
            response["refresh_token_expires_in"] = (
                None if refresh_ttl is None else _seconds(refresh_ttl)
            )
        return response
