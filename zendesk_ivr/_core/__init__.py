"""The request engine: URLs, auth, responses, transport, retries, limits and JSON."""
