"""
Where requests go, without any I/O: the site and API roots, each resource's URL, and the rules for
following a ``next_page`` link (same origin, never the page just read). Pure functions.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from typing import Final

from yarl import URL

from ..._exceptions import ConfigurationError, InvalidArgument, PaginationError
from ..._models import MAX_ID

API_PATH: Final = "api/v2/channels/voice"
MAX_PAGE_SIZE: Final = 100
# An IVR's, a menu's and a route's collection, each nested in an object of the one before.
TREE_COLLECTIONS: Final = ("ivr", "menus", "routes")
_DNS_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.IGNORECASE | re.ASCII)


def base_url_for(subdomain: str | None, base_url: str | URL | None) -> URL:
    """The site root requests go to: *base_url* if given, else ``https://{subdomain}.zendesk.com``."""
    if base_url is not None:
        try:
            url = URL(base_url) if isinstance(base_url, str) else base_url
            host = url.host
        except (TypeError, ValueError):  # yarl's message may quote the URL, password and all
            raise ConfigurationError("base_url is not a valid URL") from None
        if url.user is not None or url.password is not None:
            raise ConfigurationError("base_url must not carry credentials; pass them as arguments")
        if url.scheme not in ("http", "https") or not host:
            raise ConfigurationError(f"base_url must be an absolute http(s) URL, got {str(url)!r}")
        path = url.path.rstrip("/")
        # People paste the API root they see in the docs; accept it as the site root.
        path = path.removesuffix("/api/v2")
        return url.with_path(path + "/", encoded=False).with_query(None).with_fragment(None)
    if subdomain is None:
        raise ConfigurationError("pass subdomain='acme' (for acme.zendesk.com) or base_url=")
    if not isinstance(subdomain, str) or not _DNS_LABEL.fullmatch(subdomain):
        hint = ""
        if isinstance(subdomain, str) and subdomain.lower().endswith(".zendesk.com"):
            hint = f"; pass only the first label, subdomain={subdomain.split('.')[0]!r}"
        raise ConfigurationError(f"subdomain must be a DNS label like 'acme'{hint}")
    return URL.build(scheme="https", host=f"{subdomain.lower()}.zendesk.com", path="/")


def is_loopback(url: URL) -> bool:
    host = url.host or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def api_root(site: URL) -> URL:
    return site.join(URL(API_PATH))


def check_id(value: object, name: str) -> int:
    """Ids go into URL paths: only positive 64-bit integers may, never strings or bools."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        huge = isinstance(value, int) and abs(value) > MAX_ID
        shown = "an integer beyond 64 bits" if huge else f"{value!r:.40}"
        raise InvalidArgument(f"{name} must be a positive 64-bit integer, got {shown}")
    return value


def tree_segments(depth: int, ids: Sequence[object]) -> list[str]:
    """
    The path below the API root of the collection at *depth* (0 IVRs, 1 menus, 2 routes) in the
    objects *ids* name, outermost first, or of one object in it when *ids* holds one more id.
    """
    segments = []
    for level, collection in enumerate(TREE_COLLECTIONS[: depth + 1]):
        segments.append(collection)
        if level < len(ids):
            segments.append(str(ids[level]))
    return segments


def _tree_url(root: URL, depth: int, *ids: tuple[object, str]) -> URL:
    segments = tree_segments(depth, [check_id(value, name) for value, name in ids])
    # Collection names and decimal ids need no escaping: joined as text, the URL is built once
    # (yarl's joinpath escapes and rebuilds it per segment, a tenth of a listing's own CPU).
    return root.with_path(f"{root.raw_path.rstrip('/')}/{'/'.join(segments)}", encoded=True)


def ivrs_url(root: URL) -> URL:
    return _tree_url(root, 0)


def ivr_url(root: URL, ivr_id: int) -> URL:
    return _tree_url(root, 0, (ivr_id, "ivr_id"))


def menus_url(root: URL, ivr_id: int) -> URL:
    return _tree_url(root, 1, (ivr_id, "ivr_id"))


def menu_url(root: URL, ivr_id: int, menu_id: int) -> URL:
    return _tree_url(root, 1, (ivr_id, "ivr_id"), (menu_id, "menu_id"))


def routes_url(root: URL, ivr_id: int, menu_id: int) -> URL:
    return _tree_url(root, 2, (ivr_id, "ivr_id"), (menu_id, "menu_id"))


def route_url(root: URL, ivr_id: int, menu_id: int, route_id: int) -> URL:
    return _tree_url(root, 2, (ivr_id, "ivr_id"), (menu_id, "menu_id"), (route_id, "route_id"))


def groups_url(site: URL) -> URL:
    return site.join(URL("api/v2/groups"))


def greetings_url(root: URL) -> URL:
    return root / "greetings"


def phone_numbers_url(root: URL) -> URL:
    return root / "phone_numbers"


def first_page_url(collection: URL, per_page: int = MAX_PAGE_SIZE) -> URL:
    return collection.with_query(f"per_page={int(per_page)}")


def same_origin(a: URL, b: URL) -> bool:
    """Same scheme, host and port, and no credentials of its own in the link."""
    if a.user is not None or a.password is not None:
        return False
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


def resume_url(link: str | URL, site: URL) -> URL:
    """A ``next_page`` link a caller kept, checked like any link the server sends."""
    try:
        url = URL(link) if isinstance(link, str) else link
        foreign = not url.scheme or not same_origin(url, site)
    except (TypeError, ValueError):  # UnicodeError too: an IDNA host that does not decode
        raise PaginationError("refusing to follow start=: not a valid URL", url="") from None
    if foreign:
        shown = _without_userinfo(url)
        raise PaginationError(f"refusing to follow {shown:.200}: not on {site.origin()}", url=shown)
    return url


def _without_userinfo(url: URL) -> str:
    """A refused link as it may be shown: any credentials it carried are dropped."""
    try:
        return str(url.with_user(None)) if url.is_absolute() else str(url)
    except ValueError:
        return "<unparsable URL>"


def follow_link(link: object, current: URL, site: URL) -> URL | None:
    """
    The next page to fetch, exactly as the server gave it, or None at the end.

    The link is opaque: its query may carry parameters the client never sent, so it is followed
    verbatim. It is refused when it leaves the client's origin (credentials would go with it) or
    points back at the page just read (the listing would never end).
    """
    if link is None:
        return None
    if not isinstance(link, str) or not link:
        raise PaginationError(f"next_page is not a URL: {link!r:.100}", url=str(current))
    try:
        url = URL(link)
        if not url.scheme:  # relative, or scheme-relative ("//host/..."): resolve against the page
            url = current.join(url)
        foreign = not same_origin(url, site)
    except ValueError:  # UnicodeError too: an IDNA host that does not decode
        raise PaginationError("next_page is not a valid URL", url=str(current)) from None
    if foreign:
        raise PaginationError(
            f"refusing to follow next_page to another origin (or one carrying credentials); "
            f"the client only talks to {site.origin()}",
            url=_without_userinfo(url),
        )
    if url == current:
        raise PaginationError("next_page points at the page just read", url=str(url))
    return url
