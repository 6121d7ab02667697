"""
The ``zendesk-ivr`` console script's entry point.

It lives outside the package so that it runs before the package is imported: Ctrl-C while Python
is still importing the command (the first 0.1 s or so) ends it as Ctrl-C during the command does,
with exit code 130 and no traceback. So it imports nothing itself, not even ``typing``.
"""


def run() -> None:
    try:
        from zendesk_ivr._cli.main import run as run_command  # noqa: PLC0415 - inside the try

        run_command()
    except KeyboardInterrupt:
        raise SystemExit(130) from None  # 128 + SIGINT, as zendesk_ivr._cli.main.INTERRUPTED
