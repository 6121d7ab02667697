"""The Authorization header of each static credential scheme, built once per client."""

from __future__ import annotations

import base64
import re

from attrs import frozen

from ..._exceptions import ConfigurationError


@frozen(repr=False)
class Credentials:
    """An Authorization header value with a repr that says only which scheme it is."""

    scheme: str
    header: str

    def __repr__(self) -> str:
        return f"<Credentials {self.scheme} (redacted)>"


def credentials_for(
    *,
    email: str | None,
    api_token: str | None,
    password: str | None,
    oauth_token: str | None,
) -> Credentials:
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
    if given == {"email", "api_token"}:
        return Credentials("api_token", "Basic " + _b64(f"{email}/token:{api_token}"))
    if given == {"email", "password"}:
        return Credentials("password", "Basic " + _b64(f"{email}:{password}"))
    if given == {"oauth_token"}:
        return Credentials("oauth_token", f"Bearer {oauth_token}")
    if not given:
        raise ConfigurationError(f"no credentials: {schemes}")
    raise ConfigurationError(f"got {', '.join(sorted(given))}: {schemes}")


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def header_safe(secret: str) -> bool:
    """Whether *secret* can go into a header: no CR, LF or other control character."""
    return _CONTROL.search(secret) is None


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode("ascii")
