"""The Authorization header of each static credential scheme, built once per client."""

from __future__ import annotations

import base64

from attrs import frozen

from .._exceptions import ConfigurationError


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


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode("ascii")
