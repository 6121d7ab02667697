"""
The account and credentials a command connects with, gathered from its options and the
environment, and every refusal of them in the command line's terms.

Each setting remembers whether an option or a variable gave it, so a refusal names what the user
typed (``--base-url``, or ``ZENDESK_BASE_URL``), the other way to set it, and where it can, the
likely fix (``did you mean http://127.0.0.1:35767?``). The SDK's own `ConfigurationError`
messages speak to Python callers (``base_url=``), so the checks that can fail on what a user
types run here first, through the SDK's own rules where it has them (`base_url_for`,
`is_loopback`, `header_safe`).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Final, Literal

from attrs import frozen

from .errors import UsageError

Scheme = Literal["api_token", "password", "oauth_token", "oauth"]


@frozen
class Source:
    """Where a setting can come from: an option (if it has one) and a variable."""

    name: str  # the Client keyword
    option: str | None
    var: str

    def both(self, first: str) -> str:
        """``--email (ZENDESK_EMAIL)``, the one that gave the value first."""
        if self.option is None:
            return self.var
        other = self.var if first == self.option else self.option
        return f"{first} ({other})"

    @property
    def fix(self) -> str:
        """How to give it: ``pass --email or set ZENDESK_EMAIL``."""
        return f"set {self.var}" if self.option is None else f"pass {self.option} or set {self.var}"


@frozen
class Setting:
    """A value and the option or variable that gave it."""

    source: Source
    value: str
    from_option: bool

    @property
    def given_as(self) -> str:
        return self.source.option if self.from_option and self.source.option else self.source.var

    @property
    def label(self) -> str:
        """What gave it, then the other way to set it: ``ZENDESK_BASE_URL (--base-url)``."""
        return self.source.both(self.given_as)


BASE_URL: Final = Source("base_url", "--base-url", "ZENDESK_BASE_URL")
SUBDOMAIN: Final = Source("subdomain", "--subdomain", "ZENDESK_SUBDOMAIN")
EMAIL: Final = Source("email", "--email", "ZENDESK_EMAIL")
API_TOKEN: Final = Source("api_token", "--api-token", "ZENDESK_API_TOKEN")
PASSWORD: Final = Source("password", "--password", "ZENDESK_PASSWORD")
OAUTH_TOKEN: Final = Source("oauth_token", "--oauth-token", "ZENDESK_OAUTH_TOKEN")
TOKEN_FILE: Final = Source("token_file", "--token-file", "ZENDESK_OAUTH_TOKEN_FILE")
CLIENT_ID: Final = Source("client_id", None, "ZENDESK_OAUTH_CLIENT_ID")
CLIENT_SECRET: Final = Source("client_secret", None, "ZENDESK_OAUTH_CLIENT_SECRET")
REFRESH_TOKEN: Final = Source("refresh_token", None, "ZENDESK_OAUTH_REFRESH_TOKEN")

SOURCES: Final = (
    BASE_URL,
    SUBDOMAIN,
    EMAIL,
    API_TOKEN,
    PASSWORD,
    OAUTH_TOKEN,
    TOKEN_FILE,
    CLIENT_ID,
    CLIENT_SECRET,
    REFRESH_TOKEN,
)
_SECRETS: Final = (API_TOKEN, PASSWORD, OAUTH_TOKEN)
_REFRESHING: Final = (CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN)
_CREDENTIALS: Final = (EMAIL, *_SECRETS)

NO_CREDENTIALS: Final = (
    "no credentials: pass --email and --api-token (or set ZENDESK_EMAIL and ZENDESK_API_TOKEN), "
    "or --oauth-token (ZENDESK_OAUTH_TOKEN); OAuth that refreshes itself reads "
    "ZENDESK_OAUTH_CLIENT_ID with ZENDESK_OAUTH_REFRESH_TOKEN or ZENDESK_OAUTH_CLIENT_SECRET"
)
#: What to use instead of a password, in the command line's terms.
INSTEAD_OF_PASSWORD: Final = (
    "use --oauth-token (ZENDESK_OAUTH_TOKEN) or OAuth that refreshes itself "
    "(ZENDESK_OAUTH_CLIENT_ID), or --api-token (ZENDESK_API_TOKEN) until Zendesk deactivates "
    "API tokens on 30 April 2027"
)


@frozen
class Connection:
    """What `Client` is built with: the site, then static credentials or refreshing OAuth."""

    scheme: Scheme
    site: Setting
    secret: Setting | None  # of a static scheme
    credentials: dict[str, str]  # Client keywords, for the static schemes
    oauth_environ: dict[str, str]  # the variables Client.from_env builds refreshing OAuth from
    token_file: str | None


def gather(args: argparse.Namespace, environ: Mapping[str, str]) -> Connection:
    """
    The connection the options *args* and *environ* ask for, or a `UsageError` naming the option
    and the variable to change.

    Options and variables combine field by field, options winning (``ZENDESK_API_TOKEN`` with
    ``--email`` works, as does ``ZENDESK_EMAIL`` with ``--api-token``). A secret given as an
    option picks the scheme, so the environment's other secrets (and refreshing OAuth) are left
    out rather than clashing with it. An OAuth token carries its user, so the environment's
    email is left out beside one.
    """
    given = _collect(args, environ)
    site = _site(given)
    if any(s.from_option for s in given.values() if s.source in _CREDENTIALS):
        for source in _REFRESHING:
            given.pop(source.name, None)
        if any(given[s.name].from_option for s in _SECRETS if s.name in given):
            for source in _SECRETS:
                if source.name in given and not given[source.name].from_option:
                    del given[source.name]
    for setting in given.values():
        if setting.source not in (BASE_URL, SUBDOMAIN, TOKEN_FILE):
            _check_header_safe(setting)
    token_file = given.get(TOKEN_FILE.name)
    if CLIENT_ID.name in given:
        return _refreshing(site, given, token_file)
    scheme = _static_scheme(given)
    secret = given[scheme]
    used = (secret,) if scheme == "oauth_token" else (given[EMAIL.name], secret)
    return Connection(
        scheme=scheme,
        site=site,
        secret=secret,
        credentials={s.source.name: s.value for s in used},
        oauth_environ={},
        token_file=None,
    )


def _collect(args: argparse.Namespace, environ: Mapping[str, str]) -> dict[str, Setting]:
    given = {}
    for source in SOURCES:
        option = getattr(args, source.name, None) if source.option else None
        if option:
            given[source.name] = Setting(source, option, from_option=True)
        elif value := environ.get(source.var, "").strip():  # empty counts as unset
            given[source.name] = Setting(source, value, from_option=False)
    return given


def _static_scheme(given: Mapping[str, Setting]) -> Scheme:
    """Which of the static schemes *given* asks for (an environment's email beside an OAuth
    token is left out), or a refusal."""
    secrets = [given[s.name] for s in _SECRETS if s.name in given]
    email = given.get(EMAIL.name)
    if len(secrets) > 1:
        first, second = secrets[:2]
        if first.from_option and second.from_option:
            raise UsageError(
                f"{first.given_as} and {second.given_as} are two kinds of credentials: pass one"
            )
        raise UsageError(
            f"{first.given_as} and {second.given_as} are two kinds of credentials: unset the "
            f"one you do not mean, or choose on the command line with {first.source.option} "
            f"or {second.source.option}"
        )
    if not secrets:
        if email is None:
            raise UsageError(NO_CREDENTIALS)
        raise UsageError(
            f"{email.label} needs an API token too: {API_TOKEN.fix} (or use an OAuth token, "
            f"--oauth-token or ZENDESK_OAUTH_TOKEN, without an email)"
        )
    (secret,) = secrets
    if secret.source is OAUTH_TOKEN:
        if email is not None and email.from_option:
            raise UsageError(
                f"--email goes with --api-token, not with {secret.given_as} (an OAuth token "
                "says who you are): drop --email"
            )
        return "oauth_token"
    if email is None:
        raise UsageError(f"{secret.label} needs the agent's email too: {EMAIL.fix}")
    return "password" if secret.source is PASSWORD else "api_token"


def _refreshing(site: Setting, given: dict[str, Setting], token_file: Setting | None) -> Connection:
    client_id = given[CLIENT_ID.name]
    clashing = [given[s.name] for s in (API_TOKEN, PASSWORD) if s.name in given]
    if clashing:
        raise UsageError(
            f"{client_id.given_as} (OAuth that refreshes itself) and {clashing[0].label} are "
            "both set: unset one, or choose on the command line with "
            f"{clashing[0].source.option} or --oauth-token"
        )
    holds_tokens = token_file is not None and _holds_tokens(token_file)
    if not (holds_tokens or REFRESH_TOKEN.name in given or CLIENT_SECRET.name in given):
        raise UsageError(
            f"{client_id.given_as} needs ZENDESK_OAUTH_REFRESH_TOKEN, or "
            "ZENDESK_OAUTH_CLIENT_SECRET for the client credentials grant, or a token file "
            "that holds tokens (--token-file or ZENDESK_OAUTH_TOKEN_FILE)"
        )
    wanted = (*_REFRESHING, OAUTH_TOKEN)
    return Connection(
        scheme="oauth",
        site=site,
        secret=None,
        credentials={},
        oauth_environ={s.var: given[s.name].value for s in wanted if s.name in given},
        token_file=token_file.value if token_file else None,
    )


def _holds_tokens(token_file: Setting) -> bool:
    """Whether the token file has tokens; one that cannot be read or parsed is refused."""
    from .._core.auth.oauth import TokenFileStore  # noqa: PLC0415 - only with a token file
    from .._exceptions import ConfigurationError  # noqa: PLC0415

    try:
        return TokenFileStore(token_file.value).load() is not None
    except ConfigurationError as exc:
        raise UsageError(f"{token_file.label}: {exc}") from None
    except OSError as exc:
        raise UsageError(
            f"{token_file.label}: cannot read {token_file.value}: {exc.strerror}"
        ) from None


def _check_header_safe(setting: Setting) -> None:
    from .._core.auth.credentials import header_safe  # noqa: PLC0415 - only when connecting

    if not header_safe(setting.value):
        # Never quoted: it may be a secret.
        raise UsageError(
            f"{setting.label} holds a line break or another control character: set it again "
            "without one"
        )


def _site(given: Mapping[str, Setting]) -> Setting:
    """The base URL, or else the subdomain, checked by the client's own rules."""
    base_url, subdomain = given.get(BASE_URL.name), given.get(SUBDOMAIN.name)
    if base_url is not None:
        _check_base_url(base_url)
        return base_url
    if subdomain is not None:
        _check_subdomain(subdomain)
        return subdomain
    raise UsageError(
        f"no account to connect to: {SUBDOMAIN.fix} (acme for https://acme.zendesk.com), or "
        f"{BASE_URL.fix}; --sandbox runs against a demo account instead"
    )


def _check_base_url(setting: Setting) -> None:
    from yarl import URL  # noqa: PLC0415 - only when connecting

    from .._core.wire.urls import base_url_for, is_loopback  # noqa: PLC0415
    from .._exceptions import ConfigurationError  # noqa: PLC0415

    value = setting.value
    try:
        parsed: URL | None = URL(value)
    except ValueError:
        parsed = None
    if parsed is not None and (parsed.user is not None or parsed.password is not None):
        # Never quoted: the URL holds a password.
        raise UsageError(
            f"{setting.label} must not carry credentials: pass them with --email and "
            "--api-token (ZENDESK_EMAIL, ZENDESK_API_TOKEN) or --oauth-token "
            "(ZENDESK_OAUTH_TOKEN)"
        )
    try:
        site = base_url_for(None, value)
    except ConfigurationError:
        shown = "" if "@" in value else f", got {value!r}"
        raise UsageError(
            f"{setting.label} must be an absolute http(s) URL such as "
            f"https://acme.zendesk.com{shown}{_did_you_mean(_with_scheme(value))}"
        ) from None
    if site.scheme != "https" and not is_loopback(site):
        raise UsageError(
            f"{setting.label} is plain http to {site.host}, and credentials travel only over "
            "https (plain http only to a loopback host, such as the sandbox)"
            f"{_did_you_mean(str(site.with_scheme('https')))}"
        )


def _with_scheme(value: str) -> str | None:
    """*value* with the scheme it lacks (http to a loopback host, else https), or None."""
    from yarl import URL  # noqa: PLC0415

    from .._core.wire.urls import is_loopback  # noqa: PLC0415

    rest = value.strip()
    if "://" in rest:
        scheme, _, after = rest.partition("://")
        if scheme.lower() in ("http", "https"):
            return None
        rest = after  # a misspelt scheme: htps://, ttps://
    rest = rest.removeprefix("//")
    if not rest or "@" in rest:
        return None
    try:
        loopback = is_loopback(URL(f"http://{rest}"))
    except ValueError:
        return None
    return f"{'http' if loopback else 'https'}://{rest}"


def _check_subdomain(setting: Setting) -> None:
    if _valid_subdomain(setting.value):
        return
    # A whole address pasted in (acme.zendesk.com, https://acme.zendesk.com/): its first label.
    host = setting.value.strip().split("://")[-1].split("/")[0]
    label = host.split(".")[0].lower() if "." in host else None
    raise UsageError(
        f"{setting.label} takes the first label of your Zendesk address, such as acme for "
        f"https://acme.zendesk.com, got {setting.value!r}"
        f"{_did_you_mean(label if label and _valid_subdomain(label) else None)}"
    )


def _valid_subdomain(value: str) -> bool:
    from .._core.wire.urls import base_url_for  # noqa: PLC0415 - only when connecting
    from .._exceptions import ConfigurationError  # noqa: PLC0415

    try:
        base_url_for(value, None)
    except ConfigurationError:
        return False
    return True


def _did_you_mean(suggestion: str | None) -> str:
    return f": did you mean {suggestion}?" if suggestion else ""
