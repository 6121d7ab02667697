"""An async SDK for the Zendesk Talk IVR API: IVRs, IVR menus and IVR routes."""

from ._account import Greeting, Group, PhoneNumber
from ._analysis.audit import DEFAULT_RULES, Account, Finding, Rule, Severity, audit, audit_ivrs
from ._analysis.graph import GRAPH_FORMATS, render_dot, render_graph, render_mermaid
from ._client import Client
from ._core.envelopes import Page
from ._core.limiter import RateLimiter
from ._core.oauth import OAuth, OAuthTokens, TokenFileStore
from ._core.observe import Attempt
from ._core.retry import RetryPolicy
from ._core.serde import make_converter
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
from ._migration.apply import ApplyFailed, ApplyReport, StepFailure, apply
from ._migration.dangling import DanglingReference
from ._migration.export import export
from ._migration.idmap_by_name import NameMapping, UnmatchedReference, map_by_name
from ._migration.journal import JournalError, JournalMismatch
from ._migration.planner import plan
from ._migration.references import References
from ._migration.refusal import PlanRefused, UnmappedReference
from ._migration.state import DesiredState, IdMap, InvalidExport, InvalidIdMap, load_export
from ._migration.steps import Pending, Plan, PlannedRequest, Step
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
from ._version import __version__

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
    "make_converter",
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
    "ApplyFailed",
    "AuthenticationError",
    "ClientClosed",
    "ConfigurationError",
    "DecodeError",
    "InvalidArgument",
    "InvalidExport",
    "InvalidIdMap",
    "JournalError",
    "JournalMismatch",
    "NotFound",
    "PaginationError",
    "PermissionDenied",
    "PlanRefused",
    "RateLimited",
    "RecordInvalid",
    "RequestTimeout",
    "ResponseTooLarge",
    "ServerError",
    "TransportError",
    "ZendeskError",
    # Tools: the audit and call-flow graphs
    "DEFAULT_RULES",
    "GRAPH_FORMATS",
    "Account",
    "Finding",
    "Rule",
    "Severity",
    "audit",
    "audit_ivrs",
    "render_dot",
    "render_graph",
    "render_mermaid",
    # Tools: migrations
    "ApplyReport",
    "DanglingReference",
    "DesiredState",
    "IdMap",
    "NameMapping",
    "Pending",
    "Plan",
    "PlannedRequest",
    "References",
    "Step",
    "StepFailure",
    "UnmappedReference",
    "UnmatchedReference",
    "apply",
    "export",
    "load_export",
    "map_by_name",
    "plan",
]
