"""
The greetings every Zendesk Talk account has built in, as the greetings listing shows them.

Their ids are strings, unlike the integer ids of greetings an account uploads. The records follow
responses recorded from a live account in Airbyte's ``source-zendesk-talk`` integration tests
(ids, names, categories, flags); the audio URLs are shortened.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import attrs

from ._rules import JSONObject

_STATIC: Final = "https://static.zdassets.com/voice/assets"


@attrs.frozen
class BuiltInGreeting:
    id: str
    name: str
    category_id: int
    default_lang: bool
    has_sub_settings: bool
    #: The "None" greetings of a category play nothing, so they have no audio.
    silent: bool = False


BUILT_IN_GREETINGS: Final = (
    BuiltInGreeting("voicemail_en", "Default", 1, True, True),
    BuiltInGreeting("voicemail_en_voicemail_config", "Default (voicemail off)", 1, True, True),
    BuiltInGreeting("available_en", "Default", 2, True, True),
    BuiltInGreeting("available_none", "None", 2, False, True, silent=True),
    BuiltInGreeting("wait_en", "Default", 3, True, False),
    BuiltInGreeting("hold_en", "Default", 4, True, False),
    BuiltInGreeting("ivr_none", "None", 5, False, False, silent=True),
    BuiltInGreeting("callback_en", "Default", 6, True, False),
    BuiltInGreeting("callback_none", "None", 6, False, False, silent=True),
    BuiltInGreeting("callback-confirmation_en", "Default", 7, True, False),
    BuiltInGreeting("callback-confirmation_none", "None", 7, False, False, silent=True),
    BuiltInGreeting(
        "call-recording-opt-out_en", "Opt-out consent greeting (default)", 8, True, False
    ),
    BuiltInGreeting(
        "call-recording-opt-in_en", "Opt-in consent greeting (default)", 9, True, False
    ),
)
BUILT_IN_GREETING_IDS: Final = tuple(greeting.id for greeting in BUILT_IN_GREETINGS)


def render_built_in(
    greeting: BuiltInGreeting, ivr_ids: Sequence[int], phone_number_ids: Sequence[int]
) -> JSONObject:
    """A built-in greeting as the listing shows it; *ivr_ids* are the IVRs playing it."""
    return {
        "id": greeting.id,
        "name": greeting.name,
        "category_id": greeting.category_id,
        "default": True,
        "default_lang": greeting.default_lang,
        "active": bool(phone_number_ids),
        "pending": False,
        "audio_url": None if greeting.silent else f"{_STATIC}/default_{greeting.id}.mp3",
        "audio_name": f"{greeting.id}.mp3",
        "upload_id": None,
        "phone_number_ids": list(phone_number_ids),
        "ivr_ids": list(ivr_ids),
        "has_sub_settings": greeting.has_sub_settings,
    }
