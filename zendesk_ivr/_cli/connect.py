"""A client from the command line's options and the environment, or one on a sandbox."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

from .errors import UsageError
from .settings import INSTEAD_OF_PASSWORD, Connection, gather

if TYPE_CHECKING:
    from .._client import Client
    from .._core.wire.observe import Attempt


@contextlib.asynccontextmanager
async def connect(
    args: argparse.Namespace, on_attempt: Callable[[Attempt], None] | None = None
) -> AsyncIterator[Client]:
    """
    The client the options ask for. Only here does a command import the client (and aiohttp),
    so what a command refuses before it connects is refused fast.
    """
    settings: dict[str, Any] = {
        "timeout": args.timeout,
        "max_concurrency": args.max_concurrency,
        "on_attempt": on_attempt,
    }
    if args.sandbox:
        from .._client import Client  # noqa: PLC0415 - the network stack, only to connect
        from ..testing import FakeZendesk, seed_demo_account  # noqa: PLC0415 - only for --sandbox

        async with await FakeZendesk.start() as fake:
            seed_demo_account(fake)
            async with Client(
                base_url=fake.url, email=fake.email, api_token=fake.api_token, **settings
            ) as client:
                yield client
        return
    connection = gather(args, os.environ)  # refusals in the command line's terms, first
    async with _client(connection, settings) as client:
        yield client


@contextlib.asynccontextmanager
async def _client(connection: Connection, settings: dict[str, Any]) -> AsyncIterator[Client]:
    from .._client import Client  # noqa: PLC0415 - the network stack, only to connect
    from .._core.auth import passwords  # noqa: PLC0415
    from .._exceptions import AuthenticationError  # noqa: PLC0415

    site: dict[str, Any] = {connection.site.source.name: connection.site.value}
    credentials: dict[str, Any] = connection.credentials
    retired = connection.scheme == "password"
    if retired and connection.secret is not None:
        print(
            f"zendesk-ivr: warning: {connection.secret.label} is deprecated: "
            f"{passwords.RETIRED}; {INSTEAD_OF_PASSWORD}",
            file=sys.stderr,
        )
    with _deprecations_on_one_line(said=retired):
        if connection.scheme == "oauth":
            client = Client.from_env(
                connection.oauth_environ, token_file=connection.token_file, **site, **settings
            )
        else:
            client = Client(**site, **credentials, **settings)
    async with client:
        try:
            yield client
        except AuthenticationError as exc:
            if connection.scheme != "password":
                raise
            said = " ".join(part for part in (exc.error, exc.description) if part)
            request_id = f" (request id {exc.request_id})" if exc.request_id else ""
            raise UsageError(
                f"{exc.method} {exc.url} -> {exc.status}: {said}{request_id}. "
                f"{passwords.RETIRED}; {INSTEAD_OF_PASSWORD}"
            ) from None


@contextlib.contextmanager
def _deprecations_on_one_line(*, said: bool) -> Iterator[None]:
    """
    A deprecation is said once, on one line of stderr, not as a trace; *said*: the one a
    password client gives (the only one building a client gives) was said in our own terms.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeprecationWarning)
        yield
    for warning in caught:
        if not issubclass(warning.category, DeprecationWarning):
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
        elif not said:
            print(f"zendesk-ivr: warning: {warning.message}", file=sys.stderr)
