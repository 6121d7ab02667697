"""
``client.ivrs``, ``client.menus`` and ``client.routes``: create, read, update, delete and list.

Listings are async generators that follow ``next_page`` as the server gives it, one page in
memory at a time; ``pages()`` yields the pages themselves, and ``start=`` resumes either from a
``next_page`` link kept earlier. Arguments are checked before anything is sent: ids must be
positive integers, and fields must have the documented types.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any, Final

from yarl import URL

from ._account import Greeting, Group, PhoneNumber
from ._core.reading import envelopes
from ._core.reading.envelopes import Page
from ._core.reading.pages import Listing
from ._core.requester import Requester
from ._core.wire import paging, urls
from ._models import (
    UNSET,
    GreetingId,
    Ivr,
    IvrFields,
    IvrMenu,
    IvrMenuFields,
    IvrRoute,
    IvrRouteFields,
    RouteOptions,
    Unset,
)

_IVRS: Final = Listing(envelopes.IVR_ENVELOPE, Ivr)
_MENUS: Final = Listing(envelopes.MENU_ENVELOPE, IvrMenu)
_ROUTES: Final = Listing(envelopes.ROUTE_ENVELOPE, IvrRoute)
_GROUPS: Final = Listing(envelopes.GROUP_ENVELOPE, Group)
_GREETINGS: Final = Listing(envelopes.GREETING_ENVELOPE, Greeting)
_PHONE_NUMBERS: Final = Listing(envelopes.PHONE_NUMBER_ENVELOPE, PhoneNumber)


class IvrsResource:
    """IVRs: ``/api/v2/channels/voice/ivr``."""

    def __init__(self, api: Requester) -> None:
        self._api = api

    def list(self, *, start: str | URL | None = None) -> AsyncGenerator[Ivr, None]:
        """Every IVR of the account, with its menus and their routes embedded."""
        first = urls.first_page_url(urls.ivrs_url(self._api.root))
        return self._api.items(first, _IVRS, start)

    def pages(self, *, start: str | URL | None = None) -> AsyncGenerator[Page[Ivr], None]:
        """The IVR listing page by page (``items``, ``count``, ``next_page``)."""
        first = urls.first_page_url(urls.ivrs_url(self._api.root))
        return self._api.pages(first, _IVRS, start)

    async def get(self, ivr_id: int) -> Ivr:
        return await self._api.fetch_one(
            "GET", urls.ivr_url(self._api.root, ivr_id), envelopes.IVR_ENVELOPE, Ivr
        )

    async def create(self, *, name: str, phone_number_ids: Sequence[int] | Unset = UNSET) -> Ivr:
        """Create an IVR; Zendesk gives it a default menu."""
        fields = IvrFields(name=name, phone_number_ids=phone_number_ids)
        url = urls.ivrs_url(self._api.root)
        return await self._api.fetch_one("POST", url, envelopes.IVR_ENVELOPE, Ivr, fields)

    async def update(
        self,
        ivr_id: int,
        *,
        name: str | Unset | None = UNSET,
        phone_number_ids: Sequence[int] | Unset | None = UNSET,
    ) -> Ivr:
        """
        Change the fields passed; the others are not sent and stay as they are. An explicit
        None is sent as null.
        """
        url = urls.ivr_url(self._api.root, ivr_id)
        fields = IvrFields(name=name, phone_number_ids=phone_number_ids)
        return await self._api.fetch_one("PUT", url, envelopes.IVR_ENVELOPE, Ivr, fields)

    async def delete(self, ivr_id: int) -> None:
        """Delete an IVR with its menus and routes."""
        await self._api.delete(urls.ivr_url(self._api.root, ivr_id))


class MenusResource:
    """IVR menus: ``/api/v2/channels/voice/ivr/{ivr_id}/menus``."""

    def __init__(self, api: Requester) -> None:
        self._api = api

    def list(self, ivr_id: int, *, start: str | URL | None = None) -> AsyncGenerator[IvrMenu, None]:
        first = urls.first_page_url(urls.menus_url(self._api.root, ivr_id))
        return self._api.items(first, _MENUS, start)

    def pages(
        self, ivr_id: int, *, start: str | URL | None = None
    ) -> AsyncGenerator[Page[IvrMenu], None]:
        first = urls.first_page_url(urls.menus_url(self._api.root, ivr_id))
        return self._api.pages(first, _MENUS, start)

    async def get(self, ivr_id: int, menu_id: int) -> IvrMenu:
        url = urls.menu_url(self._api.root, ivr_id, menu_id)
        return await self._api.fetch_one("GET", url, envelopes.MENU_ENVELOPE, IvrMenu)

    async def create(
        self, ivr_id: int, *, name: str, greeting_id: GreetingId | Unset | None = UNSET
    ) -> IvrMenu:
        url = urls.menus_url(self._api.root, ivr_id)
        fields = IvrMenuFields(name=name, greeting_id=greeting_id)
        return await self._api.fetch_one("POST", url, envelopes.MENU_ENVELOPE, IvrMenu, fields)

    async def update(
        self,
        ivr_id: int,
        menu_id: int,
        *,
        name: str | Unset | None = UNSET,
        greeting_id: GreetingId | Unset | None = UNSET,
    ) -> IvrMenu:
        """
        Change the fields passed; ``greeting_id=None`` removes the greeting. A greeting id is an
        integer (uploaded) or a built-in greeting's string id (``"ivr_none"``).
        """
        url = urls.menu_url(self._api.root, ivr_id, menu_id)
        fields = IvrMenuFields(name=name, greeting_id=greeting_id)
        return await self._api.fetch_one("PUT", url, envelopes.MENU_ENVELOPE, IvrMenu, fields)

    async def delete(self, ivr_id: int, menu_id: int) -> None:
        """Delete a menu and its routes; Zendesk refuses to delete the default menu (422)."""
        await self._api.delete(urls.menu_url(self._api.root, ivr_id, menu_id))


class RoutesResource:
    """IVR routes: ``/api/v2/channels/voice/ivr/{ivr_id}/menus/{menu_id}/routes``."""

    def __init__(self, api: Requester) -> None:
        self._api = api

    def list(
        self, ivr_id: int, menu_id: int, *, start: str | URL | None = None
    ) -> AsyncGenerator[IvrRoute, None]:
        first = urls.first_page_url(urls.routes_url(self._api.root, ivr_id, menu_id))
        return self._api.items(first, _ROUTES, start)

    def pages(
        self, ivr_id: int, menu_id: int, *, start: str | URL | None = None
    ) -> AsyncGenerator[Page[IvrRoute], None]:
        first = urls.first_page_url(urls.routes_url(self._api.root, ivr_id, menu_id))
        return self._api.pages(first, _ROUTES, start)

    async def get(self, ivr_id: int, menu_id: int, route_id: int) -> IvrRoute:
        url = urls.route_url(self._api.root, ivr_id, menu_id, route_id)
        return await self._api.fetch_one("GET", url, envelopes.ROUTE_ENVELOPE, IvrRoute)

    async def create(
        self,
        ivr_id: int,
        menu_id: int,
        *,
        keypress: str,
        action: str | Unset = UNSET,
        options: RouteOptions | Mapping[str, Any] | Unset = UNSET,
        overflow_options: Sequence[Any] | Unset = UNSET,
    ) -> IvrRoute:
        """
        Add a route. *options* is a typed options object (`GroupOptions`, `MenuOptions`...), from
        which *action* follows when not given, or a plain dict of JSON keys.
        """
        url = urls.routes_url(self._api.root, ivr_id, menu_id)
        fields = IvrRouteFields(
            keypress=keypress, action=action, options=options, overflow_options=overflow_options
        )
        return await self._api.fetch_one("POST", url, envelopes.ROUTE_ENVELOPE, IvrRoute, fields)

    async def update(
        self,
        ivr_id: int,
        menu_id: int,
        route_id: int,
        *,
        keypress: str | Unset = UNSET,
        action: str | Unset | None = UNSET,
        options: RouteOptions | Mapping[str, Any] | Unset | None = UNSET,
        overflow_options: Sequence[Any] | Unset | None = UNSET,
    ) -> IvrRoute:
        """
        Change the fields passed (None is sent as null); typed options also send their
        action, as Zendesk wants.
        """
        url = urls.route_url(self._api.root, ivr_id, menu_id, route_id)
        fields = IvrRouteFields(
            keypress=keypress, action=action, options=options, overflow_options=overflow_options
        )
        return await self._api.fetch_one("PUT", url, envelopes.ROUTE_ENVELOPE, IvrRoute, fields)

    async def delete(self, ivr_id: int, menu_id: int, route_id: int) -> None:
        await self._api.delete(urls.route_url(self._api.root, ivr_id, menu_id, route_id))


class GroupsResource:
    """
    Support groups (``/api/v2/groups``), read for the audit's group checks.

    Listed by cursor (``page[size]=100``, then ``links.next`` while ``meta.has_more``), which
    Zendesk offers here and which, unlike offset pages, reads past 10,000 groups.
    """

    def __init__(self, api: Requester) -> None:
        self._api = api

    def list(self, *, start: str | URL | None = None) -> AsyncGenerator[Group, None]:
        return self._api.items(self._first(), _GROUPS, start)

    def pages(self, *, start: str | URL | None = None) -> AsyncGenerator[Page[Group], None]:
        """The group listing page by page; ``next_page`` is the cursor page's ``links.next``."""
        return self._api.pages(self._first(), _GROUPS, start)

    def _first(self) -> URL:
        return paging.cursor_first_page(urls.groups_url(self._api.site), urls.MAX_PAGE_SIZE)


class GreetingsResource:
    """
    Talk greetings (``/api/v2/channels/voice/greetings``), read for the greeting checks.

    The built-in greetings (string ids) come beside the uploaded ones (integer ids). Offset
    pages: the Talk docs document no cursor form for greetings.
    """

    def __init__(self, api: Requester) -> None:
        self._api = api

    def list(self, *, start: str | URL | None = None) -> AsyncGenerator[Greeting, None]:
        first = urls.first_page_url(urls.greetings_url(self._api.root))
        return self._api.items(first, _GREETINGS, start)


class PhoneNumbersResource:
    """Talk phone numbers (``/api/v2/channels/voice/phone_numbers``), read to map them by number."""

    def __init__(self, api: Requester) -> None:
        self._api = api

    def list(self, *, start: str | URL | None = None) -> AsyncGenerator[PhoneNumber, None]:
        first = urls.first_page_url(urls.phone_numbers_url(self._api.root))
        return self._api.items(first, _PHONE_NUMBERS, start)


__all__ = [
    "GreetingsResource",
    "GroupsResource",
    "IvrsResource",
    "MenusResource",
    "PhoneNumbersResource",
    "RoutesResource",
]
