"""
Text with the client's secrets taken out: what an error may quote of what a server sent.

A server can echo a request's headers or body in its error (a proxy's debug page, a 403 that
names the credentials it refused), so every secret is replaced wherever it appears, in each
spelling a server is likely to use: as sent, JSON-escaped, HTML-escaped and percent-encoded.

A spelling as long as a real token (Zendesk's are 40 and 64 characters) is replaced anywhere,
even glued to other text. A short one, as test suites use (``"t"``, ``"tok"``), only where it
stands apart from letters and digits: anywhere, it would cut every word that holds it ("Not
found" with the secret "t") and show the rest.
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Iterable
from typing import Final
from urllib.parse import quote

REDACTED: Final = "[redacted]"
# No word holds a run of this many characters of a token by chance.
_ANYWHERE: Final = 12
_APART: Final = "(?<![A-Za-z0-9]){}(?![A-Za-z0-9])"


def scrub(text: str, secrets: Iterable[str]) -> str:
    """*text* with every spelling of every one of *secrets* replaced by ``[redacted]``."""
    pattern = _pattern(frozenset(secrets))
    return text if pattern is None else pattern.sub(REDACTED, text)


@functools.lru_cache(maxsize=8)  # a client's set changes only when OAuth rotates its tokens
def _pattern(secrets: frozenset[str]) -> re.Pattern[str] | None:
    spellings = {spelling for secret in secrets if secret for spelling in _spellings(secret)}
    if not spellings:
        return None
    # Longest first: a secret that begins another must not be replaced alone, leaving the rest.
    ordered = sorted(spellings, key=len, reverse=True)
    return re.compile("|".join(_alternative(spelling) for spelling in ordered))


def _alternative(spelling: str) -> str:
    escaped = re.escape(spelling)
    return escaped if len(spelling) >= _ANYWHERE else _APART.format(escaped)


def _spellings(secret: str) -> set[str]:
    as_json = {json.dumps(secret, ensure_ascii=only)[1:-1] for only in (True, False)}
    # PHP's encoder and some Java ones also escape the slash.
    as_json |= {spelling.replace("/", "\\/") for spelling in as_json}
    return {secret, *as_json, html.escape(secret), quote(secret, safe="")}
