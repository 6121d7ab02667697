pytest_plugins = ["zendesk_ivr.testing.pytest_plugin"]
