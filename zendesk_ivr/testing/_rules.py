"""
Zendesk's rules for write bodies, and the Zendesk-shaped errors the fake answers with.

Validators work on plain mappings, never on stored records, so an update can be
checked against the merged record before anything is changed.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

JSONObject = dict[str, Any]

KEYPRESSES: Final = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#", "default")
ACTIONS: Final = ("group", "voicemail", "phone_number", "textback", "menu")

# --- errors ---------------------------------------------------------------------------


class ApiError(Exception):
    """
    A Zendesk-shaped error response; the web layer serialises *body* as JSON.
    """

    def __init__(self, status: int, body: JSONObject) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body


def not_found() -> ApiError:
    return ApiError(404, {"error": "RecordNotFound", "description": "Not found"})


def parameter_missing(key: str) -> ApiError:
    return ApiError(
        400,
        {
            "error": "ParameterMissing",
            "description": f"param is missing or the value is empty: {key}",
        },
    )


def bad_request(error: str, description: str) -> ApiError:
    return ApiError(400, {"error": error, "description": description})


class Errors:
    """Collects every failed rule first, as Rails does, so one 422 lists them all."""

    def __init__(self) -> None:
        self.details: dict[str, list[JSONObject]] = {}

    def add(self, field: str, error: str, description: str) -> None:
        self.details.setdefault(field, []).append({"description": description, "error": error})

    def raise_if_any(self) -> None:
        if self.details:
            raise ApiError(
                422,
                {
                    "error": "RecordInvalid",
                    "description": "Record validation errors",
                    "details": self.details,
                },
            )


def parse_wrapped(body: bytes, key: str) -> JSONObject:
    """
    Return the object under *key* of a write body.

    An empty wrapper counts as missing, as with Rails' ``params.require``.
    """
    if not body.strip():
        raise parameter_missing(key)
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise bad_request("InvalidJSON", f"The request body is not valid JSON: {exc}") from None
    fields = data.get(key) if isinstance(data, dict) else None
    if not isinstance(fields, dict) or not fields:
        raise parameter_missing(key)
    return fields


# --- validation -----------------------------------------------------------------------


def is_int(value: object) -> bool:
    # JSON true/false arrive as bool, which Python counts as int.
    return isinstance(value, int) and not isinstance(value, bool)


def _is_built_in_id(value: object) -> bool:
    # Built-in greeting ids are words ("voicemail_en"); digits in a string are no id.
    return isinstance(value, str) and bool(value.strip()) and not value.isdigit()


def _is_int_list(value: object) -> bool:
    return isinstance(value, list) and all(is_int(item) for item in value)


def _check_name(errors: Errors, name: object) -> None:
    if name is None or (isinstance(name, str) and not name.strip()):
        errors.add("name", "BlankValue", "Name: cannot be blank")
    elif not isinstance(name, str):
        errors.add("name", "InvalidValue", "Name: must be a string")


def merge(
    current: Mapping[str, Any], sent: Mapping[str, Any], writable: Sequence[str]
) -> JSONObject:
    """
    Overlay the writable keys a client sent on the current values.

    Anything else, read-only fields included, is ignored rather than refused, as
    Zendesk does.
    """
    merged = dict(current)
    merged.update({key: copy.deepcopy(sent[key]) for key in writable if key in sent})
    return merged


IVR_FIELDS: Final = ("name", "phone_number_ids")
MENU_FIELDS: Final = ("name", "greeting_id")
ROUTE_FIELDS: Final = ("keypress", "action", "options", "overflow_options")


def validate_ivr(fields: Mapping[str, Any]) -> None:
    errors = Errors()
    _check_name(errors, fields.get("name"))
    if not _is_int_list(fields.get("phone_number_ids")):
        errors.add(
            "phone_number_ids", "InvalidValue", "Phone number ids: must be a list of integers"
        )
    errors.raise_if_any()


def validate_menu(fields: Mapping[str, Any]) -> None:
    errors = Errors()
    _check_name(errors, fields.get("name"))
    greeting_id = fields.get("greeting_id")
    # Uploaded greetings have integer ids, built-in ones string ids ("ivr_none").
    if greeting_id is not None and not is_int(greeting_id) and not _is_built_in_id(greeting_id):
        errors.add("greeting_id", "InvalidValue", "Greeting: must be a greeting id or null")
    errors.raise_if_any()


def validate_route(
    fields: Mapping[str, Any], *, taken_keypresses: set[str], menu_ids: set[int]
) -> None:
    errors = Errors()
    keypress = fields.get("keypress")
    if keypress is None or keypress == "":
        errors.add("keypress", "BlankValue", "Keypress: cannot be blank")
    elif not isinstance(keypress, str) or keypress not in KEYPRESSES:
        errors.add("keypress", "InvalidValue", f"Keypress: {keypress!r} is not a valid keypress")
    elif keypress in taken_keypresses:
        errors.add("keypress", "DuplicateValue", "Keypress: has already been taken")

    action = fields.get("action")
    if action is None or action == "":
        errors.add("action", "BlankValue", "Action: cannot be blank")
    elif action not in ACTIONS:
        errors.add("action", "InvalidValue", f"Action: {action!r} is not a valid action")

    options = fields.get("options")
    if options is None:
        options = {}  # null options are no options (real accounts' data has them)
    if not isinstance(options, dict):
        errors.add("options", "InvalidValue", "Options: must be an object")
    elif action in ("group", "voicemail"):
        group_ids = options.get("group_ids")
        if not group_ids or not _is_int_list(group_ids):
            errors.add(
                "options", "InvalidValue", "Options: group_ids must be a non-empty list of integers"
            )
    elif action == "phone_number":
        phone_number = options.get("phone_number")
        if not isinstance(phone_number, str) or not phone_number.strip():
            errors.add("options", "InvalidValue", "Options: phone_number must be a phone number")
    elif action == "menu" and options.get("menu_id") not in menu_ids:
        errors.add("options", "InvalidValue", "Options: menu_id must be a menu of this IVR")

    if not isinstance(fields.get("overflow_options"), list):
        errors.add("overflow_options", "InvalidValue", "Overflow options: must be a list")
    errors.raise_if_any()
