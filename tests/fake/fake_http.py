"""How the fake's tests talk to it: raw aiohttp with hand-built auth, never the SDK client."""

from __future__ import annotations

import base64
import json
from typing import Any

import attrs
from aiohttp import (
    ClientSession,
)
from multidict import CIMultiDictProxy

API = "/api/v2/channels/voice"
EMAIL = "agent@example.com"
TOKEN = "fake-api-token"
PASSWORD = "fake-password"
OAUTH = "fake-oauth-token"
JSON_TYPE = "application/json; charset=utf-8"


def basic(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


TOKEN_AUTH = basic(f"{EMAIL}/token", TOKEN)


@attrs.frozen
class Reply:
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


async def call(
    session: ClientSession,
    method: str,
    path: str,
    body: Any = None,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    payload = data if body is None else json.dumps(body).encode()
    sent = {"Content-Type": "application/json", **(headers or {})}
    async with session.request(method, path, data=payload, headers=sent) as response:
        return Reply(response.status, response.headers, await response.read())


async def create_ivr(session: ClientSession, name: str = "Support") -> dict[str, Any]:
    reply = await call(session, "POST", f"{API}/ivr", {"ivr": {"name": name}})
    assert reply.status == 201, reply.body
    ivr: dict[str, Any] = reply.json()["ivr"]
    return ivr


def assert_record_invalid(reply: Reply, field: str) -> None:
    assert reply.status == 422, reply.body
    body = reply.json()
    assert body["error"] == "RecordInvalid"
    assert body["description"] == "Record validation errors"
    assert field in body["details"], body
    for entry in body["details"][field]:
        assert set(entry) == {"description", "error"}
