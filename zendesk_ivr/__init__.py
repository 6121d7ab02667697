"""
An async SDK for the Zendesk Talk IVR API: IVRs, IVR menus and IVR routes.

The top level holds what every user needs: the client and its resources, the models, the errors,
OAuth and the rate limiter. The tools live in public subpackages: `zendesk_ivr.analysis` (the
audit and call-flow graphs), `zendesk_ivr.migration` (plans, apply, journals), and
`zendesk_ivr.testing` (the fake Zendesk).
"""

from __future__ import annotations

from ._version import __version__

# Not typing's: type checkers read the block below as true (see zendesk_ivr._lazy).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._account import Greeting, Group, PhoneNumber
    from ._client import Client
    from ._core.auth.oauth import OAuth, OAuthTokens, TokenFileStore
    from ._core.pacing.limiter import RateLimiter
    from ._core.pacing.retry import RetryPolicy
    from ._core.reading.envelopes import Page
    from ._core.wire.observe import Attempt
    from ._exceptions import (
        APIError,
        AuthenticationError,
        ClientClosed,
        ConfigurationError,
        DecodeError,
        InvalidArgument,
        NotFound,
        PaginationError,
        PermissionDenied,
        RateLimited,
        RecordInvalid,
        RequestTimeout,
        ResponseTooLarge,
        ServerError,
        TransportError,
        ZendeskError,
    )
    from ._models import (
        ACTIONS,
        KEYPRESSES,
        UNSET,
        GreetingId,
        GroupOptions,
        Ivr,
        IvrFields,
        IvrMenu,
        IvrMenuFields,
        IvrRoute,
        IvrRouteFields,
        IvrTree,
        MenuOptions,
        PhoneNumberOptions,
        RouteOptions,
        SkippedRecord,
        TextbackOptions,
        UnknownOptions,
        Unset,
        VoicemailOptions,
    )
    from ._resources import (
        GreetingsResource,
        GroupsResource,
        IvrsResource,
        MenusResource,
        PhoneNumbersResource,
        RoutesResource,
    )

# Grouped by what the names are for, sorted within each group (tests check both).
__all__ = [  # noqa: RUF022
    # The client, its resources and settings
    "Attempt",
    "Client",
    "GreetingsResource",
    "GroupsResource",
    "IvrsResource",
    "MenusResource",
    "OAuth",
    "OAuthTokens",
    "Page",
    "PhoneNumbersResource",
    "RateLimiter",
    "RetryPolicy",
    "RoutesResource",
    "TokenFileStore",
    "__version__",
    # Models: what the API reads and writes
    "ACTIONS",
    "KEYPRESSES",
    "UNSET",
    "Greeting",
    "GreetingId",
    "Group",
    "GroupOptions",
    "Ivr",
    "IvrFields",
    "IvrMenu",
    "IvrMenuFields",
    "IvrRoute",
    "IvrRouteFields",
    "IvrTree",
    "MenuOptions",
    "PhoneNumber",
    "PhoneNumberOptions",
    "RouteOptions",
    "SkippedRecord",
    "TextbackOptions",
    "UnknownOptions",
    "Unset",
    "VoicemailOptions",
    # Errors: one tree under ZendeskError
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

if not TYPE_CHECKING:
    from ._lazy import exports

    __getattr__, __dir__ = exports(
        __name__,
        {
            "._account": ("Greeting", "Group", "PhoneNumber"),
            "._client": ("Client",),
            "._core.auth.oauth": ("OAuth", "OAuthTokens", "TokenFileStore"),
            "._core.pacing.limiter": ("RateLimiter",),
            "._core.pacing.retry": ("RetryPolicy",),
            "._core.reading.envelopes": ("Page",),
            "._core.wire.observe": ("Attempt",),
            "._exceptions": (
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
            ),
            "._models": (
                "ACTIONS",
                "KEYPRESSES",
                "UNSET",
                "GreetingId",
                "GroupOptions",
                "Ivr",
                "IvrFields",
                "IvrMenu",
                "IvrMenuFields",
                "IvrRoute",
                "IvrRouteFields",
                "IvrTree",
                "MenuOptions",
                "PhoneNumberOptions",
                "RouteOptions",
                "SkippedRecord",
                "TextbackOptions",
                "UnknownOptions",
                "Unset",
                "VoicemailOptions",
            ),
            "._resources": (
                "GreetingsResource",
                "GroupsResource",
                "IvrsResource",
                "MenusResource",
                "PhoneNumbersResource",
                "RoutesResource",
            ),
        },
        __all__,
    )
