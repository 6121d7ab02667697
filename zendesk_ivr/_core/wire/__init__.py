"""Where requests go and how they travel: URLs and next-page rules, the wire, attempt records."""
