"""
The request engine: URLs, auth, envelopes, response decoding, retries, rate limits and the wire.

It knows HTTP and Zendesk's conventions but no IVR semantics, and imports nothing above it but the
models and the error tree.
"""
