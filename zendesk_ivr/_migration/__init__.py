"""Migrations: desired states, id maps, plans and their application."""
