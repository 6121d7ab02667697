"""
The rate-limit figures an answer carries in its headers, with what no plan would send ignored.

Zendesk's Talk endpoints send ``X-Rate-Limit`` and ``X-Rate-Limit-Remaining``; its ticketing
endpoints ``ratelimit-limit``, ``ratelimit-remaining`` and ``ratelimit-reset`` (seconds until the
window turns). A figure that is not a finite number, or is below what the header can mean, is
ignored: the budget goes on as if the header were absent.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping

logger = logging.getLogger("zendesk_ivr")

#: Header names of each figure (lower case), the Talk name first: a figure out of range is
#: reported under it.
LIMIT = ("x-rate-limit", "ratelimit-limit")
REMAINING = ("x-rate-limit-remaining", "ratelimit-remaining")
RESET = ("ratelimit-reset",)

#: The lowest plan limit Zendesk sells (Team); an ``X-Rate-Limit`` below it is not a plan.
LOWEST_PLAN_LIMIT = 200


class HeaderReader:
    """Reads figures from answers' headers; one DEBUG record per header name it ignores."""

    def __init__(self) -> None:
        self._ignored: set[str] = set()

    def figure(
        self, headers: Mapping[str, str], names: tuple[str, ...], *, least: float = 0
    ) -> float | None:
        """
        The first of *names* that holds a finite number; None if none does, or if it is less
        than *least*.
        """
        for name in names:
            value = headers.get(name)
            if value is None:
                continue
            try:
                number = float(value)
            except ValueError:
                self._ignore(name, value)
                continue
            if not math.isfinite(number):
                self._ignore(name, value)
                continue
            if number < least:
                self._ignore(names[0], number)
                return None
            return number
        return None

    def _ignore(self, name: str, value: object) -> None:
        # Once per header: a server that sends nonsense sends it on every answer.
        if name not in self._ignored:
            self._ignored.add(name)
            logger.debug("ignoring %s: %r is no plan's figure", name, value)
