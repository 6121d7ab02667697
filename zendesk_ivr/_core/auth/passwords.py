"""
Password access, which Zendesk has retired: the warning a client built with a password gives, and
what its 401 says instead of a bare "Couldn't authenticate you".

Zendesk stopped offering email + password Basic auth to new accounts on 31 July 2024 and turned it
off for API calls in all remaining accounts between 12 and 22 January 2026 (support article
"Deprecation of password access for APIs"). The ``password=`` option stays so that old code still
builds a client, and says so.
"""

from __future__ import annotations

import sys
import warnings
from typing import Final

from ..._exceptions import APIError

RETIRED: Final = (
    "Zendesk no longer accepts email + password for API calls "
    "(turned off in every account between 12 and 22 January 2026)"
)
INSTEAD: Final = (
    "use OAuth (zendesk_ivr.OAuth, or oauth_token=), or email + api_token until Zendesk "
    "deactivates API tokens on 30 April 2027"
)
_PACKAGE: Final = __name__.partition(".")[0]


def warn_password_retired() -> None:
    """A DeprecationWarning pointing at the caller's code, wherever inside the SDK it came from."""
    warnings.warn(
        f"password= is deprecated: {RETIRED}; {INSTEAD}",
        DeprecationWarning,
        stacklevel=_first_frame_outside_package(),
    )


def explain_refusal(error: APIError) -> APIError:
    """The 401 of a password client, saying why and what to use instead."""
    error.args = (f"{error.args[0]}. {RETIRED}; {INSTEAD}",)
    return error


def _first_frame_outside_package() -> int:
    """The stacklevel of the first caller outside the SDK (Client() and Client.from_env() both
    build password clients)."""
    level, frame = 1, sys._getframe(1)  # 1: warn_password_retired itself
    while frame.f_back is not None and _in_package(frame.f_globals.get("__name__", "")):
        level, frame = level + 1, frame.f_back
    return level


def _in_package(module: str) -> bool:
    return module.partition(".")[0] == _PACKAGE
