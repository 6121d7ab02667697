"""``python -m zendesk_ivr`` runs the command line."""

from ._cli.main import run

if __name__ == "__main__":
    run()
