"""
`Auth`: how a client signs its requests, one subclass per scheme, and the one interface the
requester sees (as httpx's ``Auth.auth_flow``, split into the two moments a scheme acts on):

- `Auth.authorize`: the Authorization for the next request, at once, or an awaitable of it when
  the scheme must refresh first (the requester bounds that wait by the call's deadline, and pays
  for the bound only then); an `Authorization` remembers which tokens it used;
- on a 401, `Auth.renew` says whether sending once more can help (OAuth refreshes: yes) and
  `Auth.refused` gives the error to raise otherwise, with what the scheme has to say about it;
- `Auth.scrub` takes every secret the scheme holds out of a text, in every form it travels in.
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, ClassVar

from attrs import frozen

from ..._exceptions import APIError
from . import secrets

# Sends a request to the token endpoint: (form fields) -> (status, parsed JSON, request id) of a
# 2xx answer; any other answer raises its typed error, as for every request.
TokenEndpoint = Callable[[dict[str, str]], Awaitable[tuple[int, Any, str | None]]]


@frozen(repr=False)
class Authorization:
    """
    The Authorization header of one request (None: sent without one) and the generation of
    the tokens it carries, so that a 401 to a request sent before a refresh is not refreshed
    again. Its repr is redacted: it travels through the frames a `TransportError` passes, which
    an error reporter that records local variables records.
    """

    header: str | None
    generation: int = 0

    def __repr__(self) -> str:
        return "<Authorization (redacted)>"


class Auth(abc.ABC):
    """One authentication scheme."""

    #: The scheme's name, as the client's repr shows it.
    scheme: ClassVar[str]

    @abc.abstractmethod
    def authorize(self, tokens: TokenEndpoint) -> Authorization | Awaitable[Authorization]:
        """The Authorization for the next request; *tokens* asks the token endpoint."""

    async def renew(self, used: Authorization, tokens: TokenEndpoint) -> bool:
        """A request sent with *used* got 401: whether to send it once more."""
        return False

    def refused(self, error: APIError) -> APIError:
        """The error a 401 raises when the request is not sent again."""
        return error

    @abc.abstractmethod
    def _secrets(self) -> Iterable[str]:
        """Every secret held right now, in each form it is sent in (raw, header, base64...)."""

    def scrub(self, text: str) -> str:
        """*text* with every secret of this scheme replaced by ``[redacted]``."""
        return secrets.scrub(text, self._secrets())

    def __repr__(self) -> str:
        return f"<Auth {self.scheme} (redacted)>"


class StaticAuth(Auth):
    """A scheme whose header never changes: built once, sent as is."""

    def __init__(self, header: str | None, *secrets: str) -> None:
        self._authorization = Authorization(header)
        self._held = secrets if header is None else (header, *secrets)

    def authorize(self, tokens: TokenEndpoint) -> Authorization:
        return self._authorization

    def _secrets(self) -> Iterable[str]:
        return self._held


class Anonymous(StaticAuth):
    """No Authorization: the token endpoint, where the client's id and secret are in the body."""

    scheme = "none"

    def __init__(self) -> None:
        super().__init__(None)
