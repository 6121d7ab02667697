"""The schemes whose header never changes: API token, retired password, static OAuth token."""

from __future__ import annotations

import base64
import re

from ..._exceptions import APIError, ConfigurationError
from . import passwords
from .base import StaticAuth


class ApiToken(StaticAuth):
    """Basic auth as ``{email}/token:{api_token}``."""

    scheme = "api_token"

    def __init__(self, email: str, api_token: str) -> None:
        super().__init__(*_basic(f"{email}/token:{api_token}"), api_token)


class RetiredPassword(StaticAuth):
    """
    Basic auth as ``{email}:{password}``, which Zendesk has retired: building one warns, and its
    401 says why and what to use instead.
    """

    scheme = "password"

    def __init__(self, email: str, password: str) -> None:
        passwords.warn_password_retired()
        super().__init__(*_basic(f"{email}:{password}"), password)

    def refused(self, error: APIError) -> APIError:
        return passwords.explain_refusal(error)


class OAuthToken(StaticAuth):
    """A Bearer token that does not expire."""

    scheme = "oauth_token"

    def __init__(self, token: str) -> None:
        super().__init__(f"Bearer {token}", token)


def credentials_for(
    *,
    email: str | None,
    api_token: str | None,
    password: str | None,
    oauth_token: str | None,
) -> StaticAuth:
    """Exactly one scheme: email + api_token, email + password, or oauth_token."""
    supplied = {
        "email": email,
        "api_token": api_token,
        "password": password,
        "oauth_token": oauth_token,
    }
    for name, value in supplied.items():
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ConfigurationError(f"{name} must be a non-empty string")
        if value is not None and not header_safe(value):
            # Caught here, not by aiohttp on the first request, and never quoted: it is a secret.
            raise ConfigurationError(f"{name} holds a line break or other control character")
    given = {name for name, value in supplied.items() if value is not None}
    schemes = "pass exactly one of: email + api_token, email + password, or oauth_token"
    if email is not None and api_token is not None and given == {"email", "api_token"}:
        return ApiToken(email, api_token)
    if email is not None and password is not None and given == {"email", "password"}:
        return RetiredPassword(email, password)
    if oauth_token is not None and given == {"oauth_token"}:
        return OAuthToken(oauth_token)
    if not given:
        raise ConfigurationError(f"no credentials: {schemes}")
    raise ConfigurationError(f"got {', '.join(sorted(given))}: {schemes}")


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def header_safe(secret: str) -> bool:
    """Whether *secret* can go into a header: no CR, LF or other control character."""
    return _CONTROL.search(secret) is None


def _basic(userpass: str) -> tuple[str, str, str]:
    """The Basic header for *userpass*, with the two forms of it a server may quote."""
    encoded = base64.b64encode(userpass.encode()).decode("ascii")
    return f"Basic {encoded}", encoded, userpass
