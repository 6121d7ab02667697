"""
The middleware every request to the fake goes through: it logs the request, applies latency,
the rate window and scripted faults, checks credentials, and turns the handlers' errors into
Zendesk-shaped answers.

The OAuth token endpoint goes through it too, but needs no credentials: the client
authenticates with its id and secret in the body.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Mapping
from typing import Final

from aiohttp import web
from aiohttp.typedefs import Handler

from ._faults import (
    DelayFault,
    DropFault,
    EchoFault,
    Fault,
    RecordedRequest,
    StatusFault,
    TruncateFault,
    echo_response,
    format_retry_after,
)
from ._oauth import INVALID_TOKEN, TOKEN_PATH
from ._rules import ApiError, JSONObject, not_found
from ._state import FakeState

STATE: Final = web.AppKey("zendesk_ivr_fake_state", FakeState)
# Matched on the path rather than the route, so a GET there gets a 405, not a 401.
_OPEN_PATHS: Final = frozenset({TOKEN_PATH, TOKEN_PATH + ".json"})


def json_response(status: int, body: JSONObject) -> web.Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return web.Response(
        status=status, body=text.encode(), content_type="application/json", charset="utf-8"
    )


def _record(request: web.Request, body: bytes, request_id: str) -> RecordedRequest:
    return RecordedRequest(
        method=request.method,
        path=request.path,
        query=tuple(request.query.items()),
        headers=dict(request.headers.items()),
        body=body,
        response_request_id=request_id,
    )


@web.middleware
async def pipeline(request: web.Request, handler: Handler) -> web.StreamResponse:
    """
    Log the request, then answer it while counting how many are in flight at once.
    """
    state = request.app[STATE]
    request_id = uuid.uuid4().hex
    record = _record(request, await request.read(), request_id)
    state.requests.append(record)
    state.in_flight += 1
    state.max_in_flight = max(state.max_in_flight, state.in_flight)
    try:
        return await _answer(request, handler, record, request_id)
    finally:
        state.in_flight -= 1


async def _answer(
    request: web.Request, handler: Handler, record: RecordedRequest, request_id: str
) -> web.StreamResponse:
    """
    Wait, rate-limit, apply a fault, authenticate, then handle.

    Faults come before authentication because they stand for the network and the
    load balancer, which answer before Zendesk's application checks credentials.
    """
    state = request.app[STATE]
    if state.latency > 0:
        await asyncio.sleep(state.latency)
    admission = state.admit(time.monotonic())
    record = state.note_admission(record, admission)
    headers = {"x-request-id": request_id}
    if admission.limit is not None and admission.remaining is not None:
        headers["X-Rate-Limit"] = str(admission.limit)
        headers["X-Rate-Limit-Remaining"] = str(admission.remaining)
    if admission.retry_after is not None:
        response: web.StreamResponse = web.Response(
            status=429, text="Too Many Requests", content_type="text/plain"
        )
        response.headers["Retry-After"] = format_retry_after(admission.retry_after)
    else:
        fault = state.faults.take(request.method, request.path)
        if isinstance(fault, DropFault) and fault.mode == "before_response":
            # Nothing is handled: the connection dies as the request arrives.
            state.mark_unanswered(record)
            if request.transport is not None:
                request.transport.close()
            return web.Response()  # aiohttp fails to send it and quietly drops it
        response = await _respond(request, handler, fault, record, headers)
    if not response.prepared:  # a half-sent body already carries them
        response.headers.update(headers)
    return response


async def _respond(
    request: web.Request,
    handler: Handler,
    fault: Fault | None,
    record: RecordedRequest,
    headers: Mapping[str, str],
) -> web.StreamResponse:
    if isinstance(fault, StatusFault):
        return _status_response(fault)
    if isinstance(fault, EchoFault):
        return _status_response(echo_response(fault, record.headers, record.body))
    if isinstance(fault, DelayFault):
        await asyncio.sleep(fault.seconds)
    response = await _handle(request, handler)
    if isinstance(fault, TruncateFault):
        # The request was handled: only the answer is lost, as on a real network.
        body = _body_of(response)
        return web.Response(
            status=200,
            body=body[: len(body) // 2],
            content_type="application/json",
            charset="utf-8",
        )
    if isinstance(fault, DropFault):  # mid_body; before_response never gets here
        return await _send_half(request, _body_of(response), headers)
    return response


def _status_response(fault: StatusFault) -> web.Response:
    response = web.Response(status=fault.status, body=fault.body)
    response.headers["Content-Type"] = fault.content_type
    # Later headers win, so a test can override Content-Type itself.
    for name, value in fault.headers:
        response.headers[name] = value
    return response


async def _send_half(
    request: web.Request, body: bytes, headers: Mapping[str, str]
) -> web.StreamResponse:
    """Promise the whole *body*, send half of it, then hang up."""
    response = web.StreamResponse(status=200, headers=headers)
    response.content_type = "application/json"
    response.charset = "utf-8"
    # An empty body (a 204) still promises a byte, so the client sees a short body.
    response.content_length = max(len(body), 1)
    # Closing after the handler, instead of keep-alive, is what makes the body short.
    response.force_close()
    await response.prepare(request)
    await response.write(body[: len(body) // 2])
    return response


def _body_of(response: web.StreamResponse) -> bytes:
    if isinstance(response, web.Response) and isinstance(response.body, bytes):
        return response.body
    return b""


def _refusal(request: web.Request) -> web.Response | None:
    """The 401 for a request whose credentials don't pass, or None to handle it."""
    if request.path in _OPEN_PATHS:
        return None
    outcome = request.app[STATE].authenticate(
        request.headers.get("Authorization"), time.monotonic()
    )
    if outcome == "ok":
        return None
    if outcome == "invalid_token":
        response = json_response(
            401, {"error": "invalid_token", "error_description": INVALID_TOKEN}
        )
        # RFC 6750 section 3: the challenge tells an OAuth client to refresh, not give up.
        response.headers["WWW-Authenticate"] = 'Bearer realm="Zendesk", error="invalid_token"'
        return response
    response = json_response(401, {"error": "Couldn't authenticate you"})
    response.headers["WWW-Authenticate"] = 'Basic realm="Web Password"'
    return response


async def _handle(request: web.Request, handler: Handler) -> web.StreamResponse:
    refusal = _refusal(request)
    if refusal is not None:
        return refusal
    try:
        return await handler(request)
    except ApiError as exc:
        return json_response(exc.status, exc.body)
    except web.HTTPNotFound:
        missing = not_found()
        return json_response(missing.status, missing.body)
    except web.HTTPMethodNotAllowed as exc:
        response = json_response(
            405,
            {
                "error": "MethodNotAllowed",
                "description": f"{exc.method} is not allowed here; use one of "
                + ", ".join(sorted(exc.allowed_methods)),
            },
        )
        response.headers["Allow"] = ",".join(sorted(exc.allowed_methods))
        return response
    except web.HTTPException as exc:
        error = exc.reason.replace(" ", "")
        return json_response(exc.status, {"error": error, "description": exc.reason})
