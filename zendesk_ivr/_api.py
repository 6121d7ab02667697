"""
What every resource needs from the client: send a request, decode one object, walk pages.
Protocol rules come from `_protocol`, bytes on the wire from `_http`.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any, TypeVar

from cattrs import Converter
from yarl import URL

from . import _protocol
from ._http import Transport
from ._protocol import Envelope, Page, Response

T = TypeVar("T")


class Api:
    def __init__(self, *, transport: Transport, converter: Converter, site: URL) -> None:
        self.transport = transport
        self.converter = converter
        self.site = site
        self.root = _protocol.api_root(site)
        self.requests_sent = 0

    async def send(self, method: str, url: URL, payload: Any = None) -> Response:
        body = None if payload is None else json.dumps(payload).encode()
        self.requests_sent += 1
        return await self.transport.send(method, url, body)

    async def fetch_one(
        self,
        method: str,
        url: URL,
        envelope: Envelope,
        cls: type[T],
        fields: object = None,
    ) -> T:
        payload = None
        if fields is not None:
            payload = _protocol.wrap(envelope, self.converter.unstructure(fields))
        response = await self.send(method, url, payload)
        return _protocol.decode_one(self.converter, envelope, cls, response, now=time.time())

    async def delete(self, url: URL) -> None:
        response = await self.send("DELETE", url)
        # 200 with the deleted object and 204 with nothing both mean done; the body is not needed.
        if not 200 <= response.status < 300:
            raise _protocol.error_for(response, now=time.time())

    async def pages(
        self, first: URL, envelope: Envelope, cls: type[T], start: str | URL | None = None
    ) -> AsyncGenerator[Page[T], None]:
        url: URL | None = first if start is None else _protocol.resume_url(start, self.site)
        while url is not None:
            # The response is read and released before the page is handed out.
            response = await self.send("GET", url)
            page, url = _protocol.decode_page(
                self.converter, envelope, cls, response, site=self.site, now=time.time()
            )
            yield page

    async def items(
        self, first: URL, envelope: Envelope, cls: type[T], start: str | URL | None = None
    ) -> AsyncGenerator[T, None]:
        async with aclosing(self.pages(first, envelope, cls, start)) as pages:
            async for page in pages:
                for item in page.items:
                    yield item
