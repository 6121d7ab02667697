"""Where requests go: the site root from the settings, the lookups' URLs, ids checked by name."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from yarl import URL

from zendesk_ivr import ConfigurationError, InvalidArgument
from zendesk_ivr._core.wire.urls import (
    api_root,
    base_url_for,
    greetings_url,
    groups_url,
    ivr_url,
    menu_url,
    menus_url,
    route_url,
    routes_url,
)

PROXY = URL("http://127.0.0.1:8080/zendesk/")


def test_the_lookups_go_to_the_documented_paths_below_the_site() -> None:
    assert str(groups_url(PROXY)) == "http://127.0.0.1:8080/zendesk/api/v2/groups"
    assert str(greetings_url(api_root(PROXY))) == (
        "http://127.0.0.1:8080/zendesk/api/v2/channels/voice/greetings"
    )


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ((None, None), "pass subdomain='acme' (for acme.zendesk.com) or base_url="),
        (
            (None, "https://agent:secret@acme.zendesk.com"),
            "base_url must not carry credentials; pass them as arguments",
        ),
        (("ac me", None), "subdomain must be a DNS label like 'acme'"),
        (
            ("acme.zendesk.com", None),
            "subdomain must be a DNS label like 'acme'; pass only the first label, "
            "subdomain='acme'",
        ),
    ],
)
def test_settings_that_name_no_site_say_what_to_pass(
    settings: tuple[str | None, str | None], message: str
) -> None:
    with pytest.raises(ConfigurationError) as info:
        base_url_for(*settings)
    assert str(info.value) == message


def test_a_pasted_api_root_or_trailing_slashes_mean_the_site_root() -> None:
    assert str(base_url_for(None, "https://acme.zendesk.com/api/v2//")) == (
        "https://acme.zendesk.com/"
    )
    assert str(base_url_for(None, "http://127.0.0.1:8080/zen desk")) == (
        "http://127.0.0.1:8080/zen%20desk/"
    )
    assert str(base_url_for(None, "http://127.0.0.1:8080/proxyX/")) == (
        "http://127.0.0.1:8080/proxyX/"
    )


def test_each_id_is_checked_under_its_own_name() -> None:
    root = api_root(PROXY)
    cases: list[tuple[Callable[[], URL], str]] = [
        (lambda: ivr_url(root, 0), "ivr_id"),
        (lambda: menus_url(root, -1), "ivr_id"),
        (lambda: menu_url(root, 1, 0), "menu_id"),
        (lambda: menu_url(root, 0, 1), "ivr_id"),
        (lambda: routes_url(root, 0, 1), "ivr_id"),
        (lambda: routes_url(root, 1, 0), "menu_id"),
        (lambda: route_url(root, 0, 1, 1), "ivr_id"),
        (lambda: route_url(root, 1, 0, 1), "menu_id"),
        (lambda: route_url(root, 1, 1, 0), "route_id"),
    ]
    for build, name in cases:
        with pytest.raises(InvalidArgument) as info:
            build()
        assert str(info.value).startswith(f"{name} must be a positive ")
