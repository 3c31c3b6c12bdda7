"""Built-in moderation plugins. Each module is an ordinary pluggy plugin.

This folder installs as the package ``discuss_builtins`` (see pyproject.toml):
import the plugins as ``discuss_builtins.<name>``.
"""
