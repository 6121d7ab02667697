"""
What the account holds outside the IVR tree that routes, menus and IVRs point at: groups,
greetings and phone numbers, as frozen read models named exactly as the JSON.
"""

from __future__ import annotations

from attrs import frozen

from ._models import GreetingId

__all__ = ["Greeting", "Group", "PhoneNumber"]


@frozen
class Group:
    """
    A Support group (``/api/v2/groups``): who group and voicemail routes send calls to.

    Null fields read as their defaults.
    """

    id: int
    name: str = ""
    deleted: bool = False


@frozen
class Greeting:
    """
    A Talk greeting (``/api/v2/channels/voice/greetings``); menus play one by id.

    Fields as the Greetings page lists them. ``id`` is a string for the greetings every account
    has built in (``"voicemail_en"``, ``"ivr_none"``...) and an integer for uploaded ones. Null
    fields read as their defaults.
    """

    id: GreetingId
    name: str = ""
    category_id: int | None = None
    active: bool = False
    default: bool = False
    default_lang: bool = False
    pending: bool = False
    audio_url: str | None = None
    audio_name: str | None = None
    upload_id: int | None = None
    has_sub_settings: bool = False
    ivr_ids: tuple[int, ...] = ()
    phone_number_ids: tuple[int, ...] = ()

    @property
    def built_in(self) -> bool:
        """Whether Zendesk ships this greeting (string id) rather than the account uploading it."""
        return isinstance(self.id, str)


@frozen
class PhoneNumber:
    """
    A Talk phone number (``/api/v2/channels/voice/phone_numbers``): IVRs answer on them
    (``phone_number_ids``) and textback routes text from them. ``number`` is E.164
    (``+14155550100``); ``display_number`` the same for people; ``nickname`` is optional.
    """

    id: int
    number: str = ""
    display_number: str = ""
    nickname: str | None = None
