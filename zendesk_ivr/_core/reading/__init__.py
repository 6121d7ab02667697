"""What comes back: typed errors of a response, JSON text, envelopes, and models read from JSON."""
