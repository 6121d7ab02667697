"""A client from the command line's options and the environment, or one on a sandbox."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import warnings
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any, Final

from .._client import Client
from .._core.wire.observe import Attempt

_CREDENTIAL_OPTIONS: Final = ("email", "api_token", "password", "oauth_token")
#: The variable of each secret an option can give.
_SECRET_VARS: Final = {
    "api_token": "ZENDESK_API_TOKEN",
    "password": "ZENDESK_PASSWORD",
    "oauth_token": "ZENDESK_OAUTH_TOKEN",
}
_REFRESHING_OAUTH_VARS: Final = (
    "ZENDESK_OAUTH_CLIENT_ID",
    "ZENDESK_OAUTH_CLIENT_SECRET",
    "ZENDESK_OAUTH_REFRESH_TOKEN",
)


@contextlib.asynccontextmanager
async def connect(
    args: argparse.Namespace, on_attempt: Callable[[Attempt], None] | None = None
) -> AsyncIterator[Client]:
    settings: dict[str, Any] = {
        "timeout": args.timeout,
        "max_concurrency": args.max_concurrency,
        "on_attempt": on_attempt,
    }
    if args.sandbox:
        from ..testing import FakeZendesk, seed_demo_account  # noqa: PLC0415 - only for --sandbox

        async with await FakeZendesk.start() as fake:
            seed_demo_account(fake)
            async with Client(
                base_url=fake.url, email=fake.email, api_token=fake.api_token, **settings
            ) as client:
                yield client
        return
    for name in ("base_url", "subdomain", *_CREDENTIAL_OPTIONS):
        value = getattr(args, name)
        if value:
            settings[name] = value
    environ = _credentials_environ(
        os.environ, {name: getattr(args, name) for name in _CREDENTIAL_OPTIONS}
    )
    with _deprecations_on_one_line():
        client = Client.from_env(environ, token_file=args.token_file, **settings)
    async with client:
        yield client


@contextlib.contextmanager
def _deprecations_on_one_line() -> Iterator[None]:
    """A deprecated setting (a password) is said once, on one line of stderr, not as a trace."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeprecationWarning)
        yield
    for warning in caught:
        if issubclass(warning.category, DeprecationWarning):
            print(f"zendesk-ivr: warning: {warning.message}", file=sys.stderr)
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )


def _credentials_environ(
    environ: Mapping[str, str], options: Mapping[str, str | None]
) -> Mapping[str, str]:
    """
    The environment `Client.from_env` should read, given the credential *options* passed.

    Options and variables combine field by field, options winning (``ZENDESK_API_TOKEN`` with
    ``--email`` works, as does ``ZENDESK_EMAIL`` with ``--api-token``). A secret given as an
    option picks the scheme, so the environment's other secrets (and refreshing OAuth) are left
    out rather than clashing with it; ``--oauth-token`` also leaves out ``ZENDESK_EMAIL``.
    """
    given = {name for name, value in options.items() if value}
    if not given:
        return environ
    dropped = set(_REFRESHING_OAUTH_VARS)
    secrets = given & set(_SECRET_VARS)
    if secrets:
        dropped |= {var for name, var in _SECRET_VARS.items() if name not in secrets}
    if "oauth_token" in secrets:
        dropped.add("ZENDESK_EMAIL")
    return {k: v for k, v in environ.items() if k not in dropped}
