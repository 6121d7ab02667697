"""When a request may go: the account's rate-limit budget and the retry rules."""
