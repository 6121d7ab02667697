"""The request engine: protocol, transport, retries, limits, serialisation."""
