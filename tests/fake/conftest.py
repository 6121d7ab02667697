"""Every test of the fake gets a running fake and a raw aiohttp session authorised for it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import (
    ClientSession,
)

from tests.fake.fake_http import TOKEN_AUTH
from zendesk_ivr.testing import FakeZendesk


@pytest.fixture
async def fake() -> AsyncIterator[FakeZendesk]:
    async with await FakeZendesk.start() as server:
        yield server


@pytest.fixture
async def session(fake: FakeZendesk) -> AsyncIterator[ClientSession]:
    async with ClientSession(base_url=fake.url, headers={"Authorization": TOKEN_AUTH}) as client:
        yield client
