"""
A fake Zendesk Talk IVR API for testing code that uses `zendesk_ivr`.

`FakeZendesk` is a real HTTP server on a local port; point a client at
`FakeZendesk.url` and inspect `FakeZendesk.requests` afterwards.
`seed_demo_account` fills it with a realistic account with known problems, and
`seed_demo_copy_target` with a second account to copy it to by name.
`FakeZendesk.token_grants` logs its OAuth token requests as `OAuthGrant` records.
"""

from ._demo import DEMO_PROBLEMS, DemoAccount, seed_demo_account, seed_demo_copy_target
from ._faults import RecordedRequest
from ._greetings import BUILT_IN_GREETING_IDS
from ._oauth import OAuthGrant
from ._server import FakeZendesk

__all__ = [
    "BUILT_IN_GREETING_IDS",
    "DEMO_PROBLEMS",
    "DemoAccount",
    "FakeZendesk",
    "OAuthGrant",
    "RecordedRequest",
    "seed_demo_account",
    "seed_demo_copy_target",
]
