"""
An async SDK for the Zendesk Talk IVR API: IVRs, IVR menus and IVR routes.

The top level holds what every user needs: the client and its resources, the models, the errors,
OAuth and the rate limiter. The tools live in public subpackages: `zendesk_ivr.analysis` (the
audit and call-flow graphs), `zendesk_ivr.migration` (plans, apply, journals),
`zendesk_ivr.ascode` (IVR files: YAML by name, checked, planned and pulled), and
`zendesk_ivr.testing` (the fake Zendesk).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._account import Greeting, Group, PhoneNumber
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
from ._lazy import lazy_names
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
from ._version import __version__

if TYPE_CHECKING:
    from ._client import Client
    from ._core.auth.oauth import OAuth, OAuthTokens, TokenFileStore
    from ._core.pacing.limiter import RateLimiter
    from ._core.pacing.retry import RetryPolicy
    from ._core.reading.envelopes import Page
    from ._core.wire.observe import Attempt
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

# The client's side of the package imports aiohttp, yarl and cattrs (about 0.2 s): its names are
# imported when first used, so the command line's --help, a usage error or an offline check of
# a file never pays for the network stack.
_LAZY: dict[str, str] = {
    "Client": "._client",
    "OAuth": "._core.auth.oauth",
    "OAuthTokens": "._core.auth.oauth",
    "TokenFileStore": "._core.auth.oauth",
    "RateLimiter": "._core.pacing.limiter",
    "RetryPolicy": "._core.pacing.retry",
    "Page": "._core.reading.envelopes",
    "Attempt": "._core.wire.observe",
    **dict.fromkeys(
        (
            "GreetingsResource",
            "GroupsResource",
            "IvrsResource",
            "MenusResource",
            "PhoneNumbersResource",
            "RoutesResource",
        ),
        "._resources",
    ),
}


# Hidden from type checkers, which see the imports above: a misspelt name stays an error.
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_names(__name__, _LAZY, globals(), __all__)
