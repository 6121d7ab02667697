"""The link rules' refusals: links carrying credentials, and what a refusal tells the caller."""

from __future__ import annotations

import pytest
from yarl import URL

from tests.sdk.decoding import next_page_url
from zendesk_ivr import PaginationError
from zendesk_ivr._core.wire.urls import resume_url

SITE = URL("https://acme.zendesk.com")
CURRENT = URL("https://acme.zendesk.com/api/v2/channels/voice/ivr?per_page=100")
NEXT = "https://acme.zendesk.com/api/v2/channels/voice/ivr?page=2"
# The same origin, with a user, a password, or both in the link.
WITH_CREDENTIALS = [
    "https://agent@acme.zendesk.com/api/v2/channels/voice/ivr?page=2",
    "https://:hunter2@acme.zendesk.com/api/v2/channels/voice/ivr?page=2",
    "https://agent:hunter2@acme.zendesk.com/api/v2/channels/voice/ivr?page=2",
]


@pytest.mark.parametrize("link", WITH_CREDENTIALS)
def test_a_next_page_carrying_credentials_is_refused_and_shown_without_them(link: str) -> None:
    with pytest.raises(PaginationError) as info:
        next_page_url({"next_page": link}, CURRENT, SITE)
    assert info.value.url == NEXT
    assert "agent" not in str(info.value)
    assert "hunter2" not in str(info.value)


@pytest.mark.parametrize("link", WITH_CREDENTIALS)
def test_a_resumed_link_carrying_credentials_is_refused_and_shown_without_them(
    link: str,
) -> None:
    with pytest.raises(PaginationError) as info:
        resume_url(link, SITE)
    assert info.value.url == NEXT
    assert str(info.value) == f"refusing to follow {NEXT}: not on https://acme.zendesk.com"


def test_a_relative_resumed_link_is_refused_and_shown_as_given() -> None:
    with pytest.raises(PaginationError) as info:
        resume_url("/api/v2/channels/voice/ivr?page=2", SITE)
    assert info.value.url == "/api/v2/channels/voice/ivr?page=2"
    assert str(info.value).startswith("refusing to follow /api/v2/channels/voice/ivr?page=2: ")


def test_a_next_page_that_is_not_a_url_names_the_page_it_came_in() -> None:
    with pytest.raises(PaginationError) as info:
        next_page_url({"next_page": 7}, CURRENT, SITE)
    assert info.value.url == str(CURRENT)
    assert str(info.value) == "next_page is not a URL: 7"


def test_a_next_page_pointing_back_names_that_page() -> None:
    with pytest.raises(PaginationError) as info:
        next_page_url({"next_page": str(CURRENT)}, CURRENT, SITE)
    assert info.value.url == str(CURRENT)
    assert str(info.value) == "next_page points at the page just read"
