"""
pytest fixtures for testing code that uses zendesk_ivr, in one line of ``conftest.py``::

    pytest_plugins = ["zendesk_ivr.testing.pytest_plugin"]

Then a test takes ``zendesk_fake`` (a running `FakeZendesk`) and ``zendesk_client`` (a `Client`
connected to it with API-token auth). Needs pytest-asyncio (``pip install zendesk-ivr[testing]``).

Both run in the test's own event loop (``loop_scope="function"``, said explicitly), whatever the
project's ``asyncio_default_fixture_loop_scope``. pytest-asyncio warns (PytestDeprecationWarning)
at start-up while that option is unset, about every async fixture of the project; set it, as
the README's example does, to choose the scope of your own fixtures.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from .._client import Client
from ._server import FakeZendesk


@pytest_asyncio.fixture(loop_scope="function")
async def zendesk_fake() -> AsyncIterator[FakeZendesk]:
    """A fake Zendesk on 127.0.0.1 and a free port, closed after the test."""
    async with await FakeZendesk.start() as fake:
        yield fake


@pytest_asyncio.fixture(loop_scope="function")
async def zendesk_client(zendesk_fake: FakeZendesk) -> AsyncIterator[Client]:
    """A client of ``zendesk_fake``, closed after the test."""
    async with Client(
        base_url=zendesk_fake.url, email=zendesk_fake.email, api_token=zendesk_fake.api_token
    ) as client:
        yield client
