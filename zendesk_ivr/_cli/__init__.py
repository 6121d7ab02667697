"""The ``zendesk-ivr`` command line; ``main.run`` is the console script's entry point."""
