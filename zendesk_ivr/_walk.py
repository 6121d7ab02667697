"""
`walk`: read an account's whole IVR tree with the fewest requests.

The IVR listing embeds each IVR's menus and their routes, so one paginated pass over
``GET /channels/voice/ivr`` (one request per 100 IVRs) is usually the whole job. Where the
embedded data is missing (no ``menus`` or no ``routes`` key, or null), the walk lists what is
missing, concurrently and under the client's limits. Records without an id are left out and
reported in ``IvrTree.skipped``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import aclosing
from typing import Any

from yarl import URL

from ._core.reading import envelopes, responses, skipping
from ._core.requester import Requester, read_json
from ._core.wire import urls
from ._exceptions import DecodeError
from ._models import Ivr, IvrTree, SkippedRecord
from ._tasks import all_of


class _Walk:
    def __init__(self, api: Requester) -> None:
        self.api = api
        self.requests = 0

    async def listing(
        self, first: URL, envelope: envelopes.Envelope
    ) -> list[tuple[responses.Response, Any]]:
        """Every raw item of a listing beside the response it came in; requests counted."""
        items: list[tuple[responses.Response, Any]] = []
        async with aclosing(self.api.raw_pages(first, envelope)) as pages:
            async for outcome in pages:
                self.requests += outcome.attempts
                items.extend((outcome.response, item) for item in outcome.body.items)
        return items

    async def one(self, url: URL, envelope: envelopes.Envelope) -> tuple[responses.Response, Any]:
        """One raw object beside the response it came in; requests counted."""
        outcome = await self.api.request("GET", url, read=read_json)
        self.requests += outcome.attempts
        _key, raw = envelopes.unwrap(outcome.body, envelope.single, outcome.response)
        return outcome.response, raw

    async def complete_ivr(self, raw: Mapping[str, Any]) -> Mapping[str, Any]:
        if raw.get("id") is None:
            return raw  # unusable: skipped when the tree is read
        ivr = dict(raw)
        ivr_id = urls.check_id(ivr.get("id"), "IVR id")
        menus = ivr.get("menus")
        if menus is None:
            first = urls.first_page_url(urls.menus_url(self.api.root, ivr_id))
            menus = [menu for _response, menu in await self.listing(first, envelopes.MENU_ENVELOPE)]
        ivr["menus"] = await all_of(self.complete_menu(ivr_id, m) for m in menus)
        return ivr

    async def complete_menu(self, ivr_id: int, raw: Any) -> Any:
        if not isinstance(raw, Mapping) or raw.get("routes") is not None or raw.get("id") is None:
            return raw  # complete, unusable (skipped), or malformed (structuring says what)
        menu = dict(raw)
        menu_id = urls.check_id(menu.get("id"), "menu id")
        first = urls.first_page_url(urls.routes_url(self.api.root, ivr_id, menu_id))
        menu["routes"] = [
            route for _response, route in await self.listing(first, envelopes.ROUTE_ENVELOPE)
        ]
        return menu


def _needs_completing(raw: Any) -> bool:
    if not isinstance(raw, Mapping):
        return False  # malformed: structuring will say what is wrong
    menus = raw.get("menus")
    if menus is None:
        return True
    return isinstance(menus, list) and any(
        isinstance(menu, Mapping) and menu.get("routes") is None for menu in menus
    )


async def walk(api: Requester, ivr_ids: Iterable[int] | None = None) -> IvrTree:
    job = _Walk(api)
    if ivr_ids is None:
        listed = await job.listing(
            urls.first_page_url(urls.ivrs_url(api.root)), envelopes.IVR_ENVELOPE
        )
    else:
        ivr_urls = [urls.ivr_url(api.root, ivr_id) for ivr_id in ivr_ids]
        listed = await all_of(job.one(url, envelopes.IVR_ENVELOPE) for url in ivr_urls)
    incomplete = [i for i, (_response, raw) in enumerate(listed) if _needs_completing(raw)]
    completed = await all_of(job.complete_ivr(listed[i][1]) for i in incomplete)
    for index, raw in zip(incomplete, completed, strict=True):
        listed[index] = (listed[index][0], raw)
    ivrs: list[Ivr] = []
    skipped: list[SkippedRecord] = []
    for i, (response, raw) in enumerate(listed):
        ivr, lost = _read_ivr(api, response, raw, f"$.ivrs[{i}]" if ivr_ids is None else "$.ivr")
        skipped.extend(lost)
        if ivr is not None:
            ivrs.append(ivr)
    return IvrTree(ivrs=tuple(ivrs), requests=job.requests, skipped=tuple(skipped))


def _read_ivr(
    api: Requester, response: responses.Response, raw: Any, path: str
) -> tuple[Ivr | None, list[SkippedRecord]]:
    """One IVR of the tree; records without an id are left out, logged, and reported."""

    def read(cleaned: Any, at: str) -> Ivr:
        return envelopes.structure(api.converter, cleaned, Ivr, response, at)

    try:
        return read(raw, path), []
    except DecodeError:
        ivr, skipped = skipping.salvage(raw, Ivr, path, read)
        if not skipped:
            raise
        return ivr, skipped
