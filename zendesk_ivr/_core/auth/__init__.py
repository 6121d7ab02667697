"""Who sends a request: the Authorization of each credential scheme, OAuth, retired passwords."""
