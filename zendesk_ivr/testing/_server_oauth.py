"""The fake's OAuth controls: register clients, set token lifetimes, move the token clock."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ._oauth import OAuthGrant, check_ttl

if TYPE_CHECKING:
    from ._state import FakeState


class OAuthControls:
    """What `FakeZendesk` offers a test about OAuth; the tokens live in its state."""

    __slots__ = ()
    _state: FakeState

    def add_oauth_client(self, client_id: str, client_secret: str) -> None:
        """
        Register an OAuth client, which may then use ``POST /oauth/tokens``.

        Registering an id again replaces its secret; tokens already issued stay valid.
        """
        self._state.oauth.add_client(client_id, client_secret)

    @property
    def access_token_ttl(self) -> float:
        """
        The ``expires_in`` of access tokens issued from now on, in seconds of the token clock.

        A request's ``expires_in`` parameter overrides it for that request's token.
        """
        return self._state.oauth.access_token_ttl

    @access_token_ttl.setter
    def access_token_ttl(self, seconds: float) -> None:
        self._state.oauth.access_token_ttl = check_ttl("access_token_ttl", seconds)

    @property
    def refresh_token_ttl(self) -> float | None:
        """
        The lifetime of refresh tokens issued from now on; None means they never expire.

        Token responses then carry ``"refresh_token_expires_in": null``.
        """
        return self._state.oauth.refresh_token_ttl

    @refresh_token_ttl.setter
    def refresh_token_ttl(self, seconds: float | None) -> None:
        self._state.oauth.refresh_token_ttl = (
            None if seconds is None else check_ttl("refresh_token_ttl", seconds)
        )

    def advance_clock(self, seconds: float) -> None:
        """
        Move the token clock *seconds* forward; tokens expire by it.

        The clock otherwise follows real time, so this is how a test expires a
        token without waiting. ValueError for a negative or infinite *seconds*.
        """
        self._state.oauth.advance_clock(seconds)

    def issue_oauth_tokens(self, client_id: str, *, scope: str = "read write") -> dict[str, Any]:
        """
        Issue tokens to a registered client as if an authorization-code flow had completed.

        Return the token response Zendesk would send: ``access_token``,
        ``token_type`` (``"bearer"``), ``scope``, ``expires_in``, ``refresh_token``
        and ``refresh_token_expires_in``. KeyError when *client_id* isn't registered.
        It is not a request, so it is not in `token_grants`.
        """
        return self._state.oauth.issue(client_id, scope, time.monotonic())

    def revoke_oauth_token(self, token: str) -> None:
        """
        Revoke an issued access or refresh token, and the other token of its pair.

        The access token then gets 401 ``invalid_token`` and the refresh token 400
        ``invalid_grant``. Revoking twice is harmless; KeyError for a token the fake
        never issued (the static ``oauth_token`` included).
        """
        self._state.oauth.revoke(token)

    @property
    def token_grants(self) -> list[OAuthGrant]:
        """
        Every request the token endpoint handled, oldest first, refused ones too.

        A request answered by an injected fault or the rate limit never reaches the
        endpoint, so it is only in `requests`.
        """
        return list(self._state.oauth.grants)
