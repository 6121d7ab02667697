"""
Every error the SDK raises derives from `ZendeskError`, so one ``except`` catches them all.

    ZendeskError
    ├── ConfigurationError        (also a ValueError) the client cannot be built as asked
    ├── ClientClosed              (also a RuntimeError) a call on a client already closed
    ├── InvalidArgument           (also a ValueError) a call's arguments are refused; nothing sent
    ├── APIError                  the server answered with an error status
    │   ├── AuthenticationError   401
    │   ├── PermissionDenied      403
    │   ├── NotFound              404
    │   ├── RecordInvalid         422, ``details`` as Zendesk sent them
    │   ├── RateLimited           429, ``retry_after`` in seconds
    │   └── ServerError           5xx
    ├── TransportError            no usable response: connection refused, reset, dropped mid-body
    │   ├── RequestTimeout        (also a TimeoutError) an attempt took longer than ``timeout``
    │   └── ResponseTooLarge      a decoded body over ``max_body_size`` (not retried)
    ├── DecodeError               a response body was not the JSON the API documents
    ├── PaginationError           a ``next_page`` the client refuses, or a listing past max_pages
    │   (zendesk_ivr.migration's, defined beside the code that raises them:)
    ├── InvalidExport             (also a ValueError) not a desired-state file this version reads,
    │                             or values Zendesk refuses (each with its JSON path)
    ├── InvalidIdMap              (also a ValueError) an id map that is not the pinned format
    ├── PlanRefused               unmapped or dangling references, ambiguous matches, or
    │                             bodies Zendesk would refuse (each with its JSON path)
    ├── ApplyFailed               a step failed; ``report`` says what was done and what was not
    └── JournalError              a journal that is missing, corrupt, not ours, or
        ├── JournalLocked         held by another apply right now (``pid``)
        └── JournalMismatch       written for another plan or another account

Messages and attributes never carry credentials: the request URL is kept, headers are not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "APIError",
    "AuthenticationError",
    "ClientClosed",
    "ConfigurationError",
    "DecodeError",
    "InvalidArgument",
    "NotFound",
    "PaginationError",
    "PermissionDenied",
    "RateLimited",
    "RecordInvalid",
    "RequestTimeout",
    "ResponseTooLarge",
    "ServerError",
    "TransportError",
    "ZendeskError",
]


class ZendeskError(Exception):
    """
    Root of every error raised by zendesk_ivr.

    ``attempts`` is how many HTTP attempts the failed call made (1 when it was not retried).
    """

    attempts: int = 1


class ConfigurationError(ZendeskError, ValueError):
    """The client was given settings it cannot work with (credentials, URL, limits)."""


class ClientClosed(ZendeskError, RuntimeError):
    """
    A call on a client after `Client.aclose` (or its ``async with`` block) ended; nothing was
    sent. Also a RuntimeError, which is what earlier releases raised.
    """


class InvalidArgument(ZendeskError, ValueError):
    """A call was given an id, field or option it cannot send; nothing was sent."""


class APIError(ZendeskError):
    """
    The server answered with an error status.

    Attributes:
        status: the HTTP status code.
        error: Zendesk's error code (``"RecordNotFound"``, ``"RecordInvalid"``...), or None when the
            body carried none (text/plain and HTML bodies do not).
        description: Zendesk's human description, or the start of a non-JSON body.
        details: Zendesk's ``details`` object, kept exactly as sent (keys may be localized).
        request_id: ``x-request-id`` or ``X-Zendesk-Request-Id``; quote it to Zendesk support.
        method: the HTTP method of the failed request.
        url: the URL of the failed request (never carries credentials).
        body: the parsed JSON body, or the text of a non-JSON body.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        method: str,
        url: str,
        error: str | None = None,
        description: str | None = None,
        details: Any = None,
        request_id: str | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.method = method
        self.url = url
        self.error = error
        self.description = description
        self.details = details
        self.request_id = request_id
        self.body = body
        self.headers: Mapping[str, str] = dict(headers or {})


class AuthenticationError(APIError):
    """401: the credentials were missing, wrong, expired or revoked."""


class PermissionDenied(APIError):
    """403: authenticated, but the user, plan or scope may not do this."""


class NotFound(APIError):
    """404: no such IVR, menu or route (or it belongs to another IVR or menu)."""


class RecordInvalid(APIError):
    """422: Zendesk refused the record; ``details`` says which fields and why."""


class RateLimited(APIError):
    """429: the account's rate limit was hit; ``retry_after`` is the wait in seconds, if sent."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(APIError):
    """5xx: Zendesk failed; ``retry_after`` is set when a 503 said when to come back."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class TransportError(ZendeskError):
    """
    No usable response arrived: the connection failed, was reset or closed mid-body.

    ``request_sent`` is False only when the request provably never left (the connection could
    not be made), so even a create can be sent again safely.
    """

    def __init__(self, message: str, *, method: str, url: str, request_sent: bool = True) -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        self.request_sent = request_sent


class RequestTimeout(TransportError, TimeoutError):
    """One attempt took longer than the client's ``timeout``."""


class ResponseTooLarge(TransportError):
    """A response body over the client's ``max_body_size`` once decoded; read no further."""


class DecodeError(ZendeskError):
    """
    A response body was not the JSON the API documents.

    Attributes:
        errors: one line per problem, each naming the JSON path that was wrong.
        body: the text (possibly cut) that failed to decode.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        url: str,
        status: int,
        errors: tuple[str, ...] = (),
        body: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        self.status = status
        self.errors = errors
        self.body = body
        self.request_id = request_id


class PaginationError(ZendeskError):
    """
    A listing stopped: a ``next_page`` (or ``start=``) link that is malformed, leaves the client's
    origin or leads back to a page the listing already read, or a listing past ``max_pages``.
    """

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(message)
        self.url = url
