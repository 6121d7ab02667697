"""
A fake Zendesk Talk IVR API for testing code that uses `zendesk_ivr`.

`FakeZendesk` is a real HTTP server on a local port; point a client at
`FakeZendesk.url` and inspect `FakeZendesk.requests` afterwards.
`seed_demo_account` fills it with a realistic account with known problems.
"""

from ._demo import DEMO_PROBLEMS, DemoAccount, seed_demo_account
from ._faults import RecordedRequest
from ._server import FakeZendesk

__all__ = ["DEMO_PROBLEMS", "DemoAccount", "FakeZendesk", "RecordedRequest", "seed_demo_account"]
