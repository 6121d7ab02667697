"""An async SDK for the Zendesk Talk IVR API: IVRs, IVR menus and IVR routes."""

from ._api import Attempt
from ._client import Client
from ._exceptions import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    DecodeError,
    InvalidArgument,
    NotFound,
    PaginationError,
    PermissionDenied,
    RateLimited,
    RecordInvalid,
    RequestTimeout,
    ServerError,
    TransportError,
    ZendeskError,
)
from ._limiter import RateLimiter
from ._models import (
    ACTIONS,
    KEYPRESSES,
    UNSET,
    GroupOptions,
    Ivr,
    IvrFields,
    IvrMenu,
    IvrMenuFields,
    IvrRoute,
    IvrRouteFields,
    MenuOptions,
    PhoneNumberOptions,
    RouteOptions,
    TextbackOptions,
    UnknownOptions,
    Unset,
    VoicemailOptions,
)
from ._protocol import Page
from ._resources import IvrsResource, MenusResource, RoutesResource
from ._retry import RetryPolicy
from ._serde import make_converter
from ._version import __version__

__all__ = [
    "ACTIONS",
    "KEYPRESSES",
    "UNSET",
    "APIError",
    "Attempt",
    "AuthenticationError",
    "Client",
    "ConfigurationError",
    "DecodeError",
    "GroupOptions",
    "InvalidArgument",
    "Ivr",
    "IvrFields",
    "IvrMenu",
    "IvrMenuFields",
    "IvrRoute",
    "IvrRouteFields",
    "IvrsResource",
    "MenuOptions",
    "MenusResource",
    "NotFound",
    "Page",
    "PaginationError",
    "PermissionDenied",
    "PhoneNumberOptions",
    "RateLimited",
    "RateLimiter",
    "RecordInvalid",
    "RequestTimeout",
    "RetryPolicy",
    "RouteOptions",
    "RoutesResource",
    "ServerError",
    "TextbackOptions",
    "TransportError",
    "UnknownOptions",
    "Unset",
    "VoicemailOptions",
    "ZendeskError",
    "__version__",
    "make_converter",
]
