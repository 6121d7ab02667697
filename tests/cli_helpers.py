"""Running the zendesk-ivr console script from tests, as a user's shell would."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from zendesk_ivr.testing import FakeZendesk

SCRIPT = Path(sys.executable).with_name("zendesk-ivr")
# Every variable the client reads credentials from: a test's environment starts without them.
CREDENTIAL_VARS = (
    "ZENDESK_SUBDOMAIN",
    "ZENDESK_BASE_URL",
    "ZENDESK_EMAIL",
    "ZENDESK_API_TOKEN",
    "ZENDESK_PASSWORD",
    "ZENDESK_OAUTH_TOKEN",
    "ZENDESK_OAUTH_CLIENT_ID",
    "ZENDESK_OAUTH_CLIENT_SECRET",
    "ZENDESK_OAUTH_REFRESH_TOKEN",
    "ZENDESK_OAUTH_TOKEN_FILE",
)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_VARS}
    env.update(extra)
    return env


def fake_env(fake: FakeZendesk) -> dict[str, str]:
    assert fake.api_token is not None
    return clean_env(
        ZENDESK_BASE_URL=fake.url, ZENDESK_EMAIL=fake.email, ZENDESK_API_TOKEN=fake.api_token
    )


async def run_script(
    *args: str, env: Mapping[str, str] | None = None, stdin: int | None = subprocess.DEVNULL
) -> tuple[int, str, str]:
    """Run the console script without blocking the loop (a fake may be serving in it)."""
    process = await asyncio.create_subprocess_exec(
        str(SCRIPT),
        *args,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(env) if env is not None else clean_env(),
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()
