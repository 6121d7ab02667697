"""
A fake Zendesk Talk IVR API for testing code that uses `zendesk_ivr`.

`FakeZendesk` is a real HTTP server on a local port; point a client at
`FakeZendesk.url` and inspect `FakeZendesk.requests` afterwards.
"""

from ._server import FakeZendesk
from ._state import RecordedRequest

__all__ = ["FakeZendesk", "RecordedRequest"]
