"""Seed data shipped with the package (the demo post)."""
